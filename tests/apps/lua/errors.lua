-- Errors through pcall/xpcall/error: messages with positions, error objects, levels, nested
-- handlers, runtime errors from the VM, tostring of non-string errors, and the goto/close path.
print(pcall(error, "plain"))
print(select("#", pcall(error, {code = 42})), type(select(2, pcall(error, {}))))
local ok, e = pcall(error, {code = 42})
print("table error code", e.code)
print(pcall(function() error("with position") end))
print(pcall(function() error("level 2", 2) end))
print(pcall(function() error("no position", 0) end))
print(pcall(function() local t = nil; return t.x end))
print(pcall(function() return 1 + {} end))
print(pcall(function() return #5 end))
print(pcall(function() return ("x"):bad() end))
print(pcall(string.rep))
print(pcall(string.format, "%d", 1.5))
print(select("#", pcall(function() return 1, 2, 3 end)))
print(xpcall(function() error("handled") end, function(m) return "handler saw: " .. m end))
print(xpcall(function(a, b) return a + b end, print, 2, 3))
-- Error in the handler itself
print(xpcall(function() error("first") end, function() error("second") end))
-- Nested pcall keeps the inner error inside
print(pcall(function()
  local ok2, m = pcall(error, "inner")
  return "outer fine, inner: " .. tostring(m)
end))
-- to-be-closed variables run on error
local log = {}
print(pcall(function()
  local x <close> = setmetatable({}, {__close = function(_, err) log[#log + 1] = "closed with " .. tostring(err) end})
  error("tbc", 0)
end))
print(log[1])
-- __tostring on error objects and assert with messages
local E = setmetatable({}, {__tostring = function() return "custom error object" end})
print(select(2, pcall(error, E)) == E, tostring(E))
print(pcall(assert, false, "assertion message"))
print(pcall(assert, nil))
print(pcall(assert, 1, 2))
-- Stack overflow is caught
local function inf(n) return inf(n + 1) + 1 end
local okso, mso = pcall(inf, 1)
print("stack overflow caught", okso, (mso:find("stack overflow") ~= nil))
-- error with a number
print(pcall(error, 3.5))
-- string->number coercion errors
print(pcall(function() return "abc" + 1 end))
print(math.type(1), math.type(1.0), math.type("1"))
print(pcall(function() return 1 // 0 end))
print(1 // 0.0, -1 // 0.0, 7 // 2, -7 // 2, 7 % -3, -7 % 3, 7.5 % 2)
print(math.maxinteger + 1 == math.mininteger, math.tointeger(3.0), 2^53)
