-- wrk: POST a 1 KiB (1024-byte) JSON body shaped like a login with an
-- order (nested objects, an array, a password, tokens, a JWT, a card
-- number and its cvv: 7 values redacted by default) to the reflector,
-- which echoes it; so both directions of the record are redacted.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"user":{"name":"bob","email":"bob@example.com","password":"hunter2-correct-horse"},"session":{"token":"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJib2IifQ.c2lnbmF0dXJl","csrf_token":"f00dfeed"},"payment":{"card_number":"4111 1111 1111 1111","cvv":"123","holder":"Bob Example"},"items":[{"sku":"SKU-0000","qty":1,"price":10.99,"note":"gift wrap please"},{"sku":"SKU-0001","qty":2,"price":11.99,"note":"gift wrap please"},{"sku":"SKU-0002","qty":3,"price":12.99,"note":"gift wrap please"},{"sku":"SKU-0003","qty":4,"price":13.99,"note":"gift wrap please"},{"sku":"SKU-0004","qty":5,"price":14.99,"note":"gift wrap please"},{"sku":"SKU-0005","qty":1,"price":15.99,"note":"gift wrap please"},{"sku":"SKU-0006","qty":2,"price":16.99,"note":"gift wrap please"},{"sku":"SKU-0007","qty":3,"price":17.99,"note":"gift wrap please"},{"sku":"SKU-0008","qty":4,"price":18.99,"note":"gift wrap please"},{"sku":"SKU-0009","qty":5,"price":19.99,"note":"gift wrap please"}],"client":{"ua":"bench","lang":"en","pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}}'
