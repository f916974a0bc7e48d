-- wrk script: POST a JSON body (BENCH_BODY) with a bearer token
-- (BENCH_POST_TOKEN), as both plugins' has-permission cases send.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_POST_TOKEN")
wrk.body = os.getenv("BENCH_BODY")
