-- wrk script: POST /admin/has-permission as the bench admin
-- (BENCH_ADMIN_TOKEN), asking for user:list.
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_ADMIN_TOKEN")
wrk.body = '{"permissions":{"user":["list"]}}'
