-- wrk: POST a 1 KiB (1024-byte) JSON body to the reflector, which echoes it
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.body = '{"pad":"' .. string.rep("x", 1014) .. '"}'
