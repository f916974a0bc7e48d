-- wrk script: POST a JSON body (BENCH_BODY), with a bearer token
-- (BENCH_POST_TOKEN) when one is set, as both plugins' has-permission
-- cases send; without one for routes that take none (/api-key/verify).
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local token = os.getenv("BENCH_POST_TOKEN")
if token and token ~= "" then
    wrk.headers["Authorization"] = "Bearer " .. token
end
wrk.body = os.getenv("BENCH_BODY")
