-- POST create: the same valid body on every request (wrk -s bench/post.lua URL/api/text_generator/).
wrk.method = "POST"
wrk.body = '{"model_name":"gemini-2.5-flash","messages":[{"role":"user","content":"Write a tagline for a bakery"}]}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["X-API-ID"] = "bench"
wrk.headers["X-API-KEY"] = "bench"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
