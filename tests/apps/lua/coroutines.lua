-- Coroutines: generators, passing values both ways, status, wrap, errors inside, yield across pcall.
local function gen(n)
  return coroutine.wrap(function()
    for i = 1, n do coroutine.yield(i * i) end
  end)
end
local squares = {}
for v in gen(6) do squares[#squares + 1] = v end
print("squares", table.concat(squares, ","))

local co = coroutine.create(function(a, b)
  print("start", a, b)
  local c = coroutine.yield(a + b)
  print("got", c)
  local d, e = coroutine.yield(c * 2)
  print("got", d, e)
  return "done", a * b
end)
print("resume1", coroutine.resume(co, 3, 4))
print("status", coroutine.status(co))
print("resume2", coroutine.resume(co, 10))
print("resume3", coroutine.resume(co, "x", "y"))
print("status", coroutine.status(co))
print("resume dead", coroutine.resume(co))

local bad = coroutine.create(function() error("inside coroutine") end)
local ok, msg = coroutine.resume(bad)
print("error in coroutine", ok, msg)

-- yield across pcall (allowed in 5.4)
local co2 = coroutine.create(function()
  local ok2, v = pcall(function()
    local x = coroutine.yield("from pcall")
    if x == "boom" then error("boom!") end
    return x
  end)
  coroutine.yield(tostring(ok2) .. ":" .. tostring(v))
  return "end"
end)
print(coroutine.resume(co2))
print(coroutine.resume(co2, "boom"))
print(coroutine.resume(co2))
print("isyieldable main", coroutine.isyieldable())
print("running is main", select(2, coroutine.running()))

-- A producer/consumer pipeline of 3 coroutines.
local function producer()
  return coroutine.create(function()
    for _, w in ipairs({"alpha", "beta", "gamma"}) do coroutine.yield(w) end
  end)
end
local function filter(src)
  return coroutine.create(function()
    while true do
      local ok3, w = coroutine.resume(src)
      if not w then return end
      coroutine.yield(w:upper())
    end
  end)
end
local f = filter(producer())
local out = {}
while true do
  local _, w = coroutine.resume(f)
  if not w then break end
  out[#out + 1] = w
end
print("pipeline", table.concat(out, " "))

-- Deep recursion inside a coroutine
local deep = coroutine.wrap(function()
  local function r(n) if n == 0 then return 0 end return 1 + r(n - 1) end
  return r(10000)
end)
print("deep", deep())
print("close", coroutine.close(coroutine.create(function() end)))
