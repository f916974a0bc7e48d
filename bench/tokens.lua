-- wrk script: each request carries the bearer token of one of many
-- sessions, in turn, so that the gate sees many users rather than one
-- (whose concurrent misses would share a single lookup).
-- The tokens come one per line from the file named by BENCH_TOKENS.

local tokens = {}
local i = 0

function init(args)
    for line in io.lines(os.getenv("BENCH_TOKENS")) do
        tokens[#tokens + 1] = line
    end
    -- the two wrk threads start at different places
    i = math.random(#tokens)
end

function request()
    i = i % #tokens + 1
    return wrk.format(nil, nil,
                      { ["Authorization"] = "Bearer " .. tokens[i] })
end
