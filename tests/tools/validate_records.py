#!/usr/bin/env python3
# Licensed to the Apache Software Foundation (ASF) under one or more
# contributor license agreements; and licensed under the Apache License,
# Version 2.0 (the "License"); you may not use this file except in
# compliance with the License. http://www.apache.org/licenses/LICENSE-2.0
"""Validate mod_audit_body audit logs against docs/record.schema.json.

    validate_records.py SCHEMA FILE...
    validate_records.py --decode-body request|response [--index I] SCHEMA FILE

Every line of every FILE must be one complete JSON object (UTF-8, no
duplicate keys, keys in schema order) that the schema accepts. Prints
"N records valid" and exits 0, or names the first bad file:line and exits 1
(2 for usage errors). With --decode-body, the files are validated the same
way and then the decoded body of one record (the last by default) is written
to stdout as raw bytes; the count goes to stderr.

Importable: load_validator(), read_records(), body_bytes(), uri_bytes(),
raw_headers().
"""

import argparse
import base64
import binascii
import json
import sys

import jsonschema

DIRECTIONS = ("request", "response")


class RecordError(Exception):
    """A line that is not a valid record; str() is "file:line: why"."""

    def __init__(self, path, lineno, why):
        super().__init__("%s:%d: %s" % (path, lineno, why))
        self.path = path
        self.lineno = lineno
        self.why = why


def load_validator(schema_path):
    """Return a jsonschema validator for the schema at schema_path."""
    with open(schema_path, "rb") as f:
        schema = json.load(f)
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ValueError("duplicate key %r" % key)
        seen[key] = value
    return seen


def _no_constants(name):
    raise ValueError("non-JSON constant %s" % name)


def _key_order(schema, record, where=""):
    """The keys of record and its sub-objects must follow the schema's
    "properties" order (ab_record_format writes them in that order)."""
    errors = []
    props = schema.get("properties")
    if isinstance(record, dict) and props:
        want = [k for k in props if k in record]
        got = [k for k in record if k in props]
        if want != got:
            errors.append("keys of %s out of order: %s" % (where or "record",
                                                          ", ".join(got)))
    return errors


def _check_order(validator, record):
    schema = validator.schema
    errors = _key_order(schema, record)
    props = schema.get("properties", {})
    if isinstance(record.get("client"), dict):
        errors += _key_order(props.get("client", {}), record["client"],
                             "client")
    direction = schema.get("$defs", {}).get("direction", {})
    for name in DIRECTIONS:
        if isinstance(record.get(name), dict):
            errors += _key_order(direction, record[name], name)
    return errors


def parse_line(raw, path, lineno):
    """Decode one line (bytes, without its newline) into a record dict."""
    if not raw:
        raise RecordError(path, lineno, "empty line")
    try:
        text = raw.decode("utf-8", errors="strict")
    except UnicodeDecodeError as e:
        raise RecordError(path, lineno, "invalid UTF-8: %s" % e)
    try:
        record = json.loads(text, object_pairs_hook=_no_duplicates,
                            parse_constant=_no_constants)
    except json.JSONDecodeError as e:
        raise RecordError(path, lineno, "not JSON (torn line?): %s" % e)
    except ValueError as e:
        raise RecordError(path, lineno, "not a valid record: %s" % e)
    if not isinstance(record, dict):
        raise RecordError(path, lineno, "not a JSON object")
    return record


def read_records(path, validator=None):
    """Yield the records of one audit log file, validated if a validator
    is given. Raises RecordError on the first bad or torn line."""
    with open(path, "rb") as f:
        data = f.read()
    if not data:
        return
    lines = data.split(b"\n")
    if lines[-1] != b"":
        raise RecordError(path, len(lines),
                          "torn line: no newline at end of file")
    for lineno, raw in enumerate(lines[:-1], 1):
        record = parse_line(raw, path, lineno)
        if validator is not None:
            error = jsonschema.exceptions.best_match(
                validator.iter_errors(record))
            if error is not None:
                where = "/".join(str(p) for p in error.absolute_path)
                raise RecordError(path, lineno, "schema: %s%s" % (
                    "at %s: " % where if where else "", error.message))
            order = _check_order(validator, record)
            if order:
                raise RecordError(path, lineno, order[0])
        yield record


def body_bytes(record, direction):
    """The captured body of one direction as bytes: text is UTF-8
    encoded, base64 decoded; None when the record holds no body."""
    if direction not in DIRECTIONS:
        raise ValueError("direction must be request or response")
    d = record[direction]
    body, encoding = d.get("body"), d.get("body_encoding")
    if body is None:
        return None
    if encoding == "text":
        return body.encode("utf-8")
    if encoding == "base64":
        return base64.b64decode(body, validate=True)
    raise ValueError("unknown body_encoding %r" % (encoding,))


def uri_bytes(record):
    """The exact bytes of the request URI: uri_b64 decoded when the URI
    was not valid UTF-8, else uri encoded; None when uri is null."""
    if record.get("uri_b64") is not None:
        return base64.b64decode(record["uri_b64"], validate=True)
    if record.get("uri") is None:
        return None
    return record["uri"].encode("utf-8")


def raw_headers(record, direction):
    """The exact (name, value) bytes of the header entries of one
    direction that were not valid UTF-8 (headers_b64), in order."""
    if direction not in DIRECTIONS:
        raise ValueError("direction must be request or response")
    return [(base64.b64decode(n, validate=True),
             base64.b64decode(v, validate=True))
            for n, v in record[direction].get("headers_b64") or []]


def main(argv=None):
    ap = argparse.ArgumentParser(
        description="Validate mod_audit_body records against the schema.")
    ap.add_argument("--decode-body", choices=DIRECTIONS,
                    help="write this body of one record to stdout")
    ap.add_argument("--index", type=int, default=-1,
                    help="record for --decode-body (python index, "
                         "default -1: the last)")
    ap.add_argument("schema")
    ap.add_argument("files", nargs="+", metavar="FILE")
    args = ap.parse_args(argv)

    try:
        validator = load_validator(args.schema)
    except (OSError, ValueError, jsonschema.exceptions.SchemaError) as e:
        print("validate_records: bad schema %s: %s" % (args.schema, e),
              file=sys.stderr)
        return 2
    records = []
    try:
        for path in args.files:
            records.extend(read_records(path, validator))
    except RecordError as e:
        print("validate_records: invalid record at %s" % e, file=sys.stderr)
        return 1
    except OSError as e:
        print("validate_records: %s" % e, file=sys.stderr)
        return 2

    if args.decode_body is None:
        print("%d records valid" % len(records))
        return 0
    print("%d records valid" % len(records), file=sys.stderr)
    try:
        body = body_bytes(records[args.index], args.decode_body)
    except IndexError:
        print("validate_records: no record %d" % args.index, file=sys.stderr)
        return 1
    except (ValueError, binascii.Error) as e:
        print("validate_records: cannot decode body: %s" % e,
              file=sys.stderr)
        return 1
    if body is None:
        print("validate_records: the %s body is null" % args.decode_body,
              file=sys.stderr)
        return 0
    sys.stdout.buffer.write(body)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
