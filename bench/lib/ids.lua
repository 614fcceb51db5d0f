-- wrk: GET /t/<id>/small.json?id=<id>, cycling over ids 1..IDS (env,
-- default 64). With FLOOD=1 (GET /f/<id/256>/<id%256>/small.json) every
-- thread walks its own share of 1..IDS
-- once and then starts over, so IDS distinct ids are all sent as soon as
-- the run has made IDS requests.
local n = tonumber(os.getenv("IDS") or "64")
local flood = os.getenv("FLOOD") == "1"
local counter = 0

function setup(thread)
    counter = counter + 1
    thread:set("tid", counter)
end

function init(args)
    nthreads = tonumber(os.getenv("THREADS") or "2")
    if flood then
        i = tid - nthreads       -- the first request is id tid
    else
        i = (tid * 7) % n
    end
end

function request()
    if flood then
        i = i + nthreads
        if i > n then i = tid end
    else
        i = i % n + 1
    end
    if flood then
        -- id i as /f/<i/256>/<i%256>/ (bench/idp_bench.sh's flood routes)
        local hi = math.floor(i / 256)
        return wrk.format("GET", "/f/" .. hi .. "/" .. (i - hi * 256) ..
                          "/small.json?id=" .. i)
    end
    return wrk.format("GET", "/t/" .. i .. "/small.json?id=" .. i)
end
