-- Fill the mock with BENCH_FILL finished jobs: POST one, GET it (instant timing finishes it), repeat; then only
-- health checks, until bench/loads.py stops wrk (a Lua script cannot end a wrk run early).
local target = tonumber(os.getenv("BENCH_FILL") or "0")
local body = '{"model_name":"gemini-2.5-flash","messages":[{"role":"user","content":"Write a tagline for a bakery"}]}'
local headers = {["Content-Type"] = "application/json", ["X-API-ID"] = "bench", ["X-API-KEY"] = "bench"}
local ids = {}
local posted = 0

request = function()
  local id = table.remove(ids)
  if id then
    return wrk.format("GET", "/api/text_generator/" .. id .. "/", headers)
  end
  if posted >= target then
    return wrk.format("GET", "/__admin/health")
  end
  posted = posted + 1
  return wrk.format("POST", "/api/text_generator/", headers, body)
end

response = function(status, hdrs, resp)
  if status == 201 then
    local id = resp:match('"id":"([%x%-]+)"')
    if id then table.insert(ids, id) end
  end
end
