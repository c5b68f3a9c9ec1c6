-- os library: time/date with a fixed timestamp (TZ is set by the test), clock, getenv, difftime,
-- date tables and normalisation, exit codes.
local t = 1700000000
print(os.date("!%Y-%m-%d %H:%M:%S", t))
print(os.date("!%A %B %j %w %p %y", t))
local d = os.date("!*t", t)
print(d.year, d.month, d.day, d.hour, d.min, d.sec, d.wday, d.yday, d.isdst)
print(os.time({year = 2023, month = 11, day = 14, hour = 22, min = 13, sec = 20}))
print(os.date("%Y-%m-%d %H:%M:%S %Z", t))
print(os.time({year = 2024, month = 2, day = 30, hour = 0}) == os.time({year = 2024, month = 3, day = 1, hour = 0}))
local n = os.date("*t", os.time({year = 2024, month = 13, day = 1, hour = 12}))
print(n.year, n.month, n.day)
print(os.difftime(t + 90, t), math.type(os.time()), os.time() > t)
local c0 = os.clock()
local x = 0
for i = 1, 3000000 do x = x + i % 7 end
print("clock advances", os.clock() >= c0, x)
print(os.getenv("CWALI_LUA_VAR"), os.getenv("NO_SUCH_VAR_XYZ"))
print(pcall(os.date, "%Ez", t))
print(os.date("!%c", 0))
local tn = os.tmpname()
print("tmpname", type(tn), os.remove(tn))
local code = tonumber(arg[1] or "0")
if code ~= 0 then
  io.stdout:write("exiting with ", code, "\n")
  os.exit(code)
end
print("arg count", #arg, arg[0] ~= nil)
