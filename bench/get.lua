-- GET by id: the URL given to wrk is one job's path (wrk -s bench/get.lua URL/api/text_generator/ID/).
wrk.method = "GET"
wrk.headers["X-API-ID"] = "bench"
wrk.headers["X-API-KEY"] = "bench"

done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'BENCH {"requests":%d,"duration_us":%d,"errors":%d,"non2xx":%d,"p50_us":%d,"p99_us":%d,"max_us":%d}\n',
    summary.requests, summary.duration, e.connect + e.read + e.write + e.timeout, e.status,
    latency:percentile(50), latency:percentile(99), latency.max))
end
