-- String building: concatenation, formatting, table.concat, gsub and find over the result.
local n = tonumber(arg and arg[1]) or 200000
local parts = {}
for i = 1, n do parts[#parts + 1] = string.format("%d:%x;", i, i * 7) end
local s = table.concat(parts)
local count = select(2, s:gsub("%d+:", ""))
local upper = s:sub(1, 100000):upper()
local acc = ""
for i = 1, 2000 do acc = acc .. tostring(i % 10) end
local words = 0
for w in s:gmatch("[%x]+;") do words = words + 1 end
print(#s, count, #upper, #acc, words, s:find("99999:", 1, true))
