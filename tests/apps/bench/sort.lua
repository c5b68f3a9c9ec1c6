-- table.sort of numbers, strings and records with a comparator, from a fixed LCG.
local n = tonumber(arg and arg[1]) or 200000
local seed = 42
local function rand()
  seed = (seed * 1103515245 + 12345) % 2147483648
  return seed
end
local nums, strs, recs = {}, {}, {}
for i = 1, n do
  nums[i] = rand()
  strs[i] = tostring(rand())
  recs[i] = {key = rand() % 1000, id = i}
end
table.sort(nums)
table.sort(strs)
table.sort(recs, function(a, b) if a.key ~= b.key then return a.key < b.key end return a.id < b.id end)
local ok = true
for i = 2, n do if nums[i - 1] > nums[i] or strs[i - 1] > strs[i] then ok = false end end
print(ok, nums[1], nums[n], strs[1], recs[1].key, recs[1].id, recs[n].key)
