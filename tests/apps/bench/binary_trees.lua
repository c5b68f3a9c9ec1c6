-- binary-trees (the benchmarks-game shape): allocate and walk many short-lived trees.
local function bottom_up(depth)
  if depth == 0 then return {} end
  depth = depth - 1
  return {bottom_up(depth), bottom_up(depth)}
end
local function check(tree)
  if tree[1] then return 1 + check(tree[1]) + check(tree[2]) end
  return 1
end
local n = tonumber(arg and arg[1]) or 14
local max_depth = math.max(6, n)
local stretch = max_depth + 1
print("stretch tree of depth " .. stretch .. " check: " .. check(bottom_up(stretch)))
local long_lived = bottom_up(max_depth)
for depth = 4, max_depth, 2 do
  local iters = 2 ^ (max_depth - depth + 4)
  local sum = 0
  for _ = 1, iters do sum = sum + check(bottom_up(depth)) end
  print(string.format("%d trees of depth %d check: %d", iters, depth, sum))
end
print("long lived tree of depth " .. max_depth .. " check: " .. check(long_lived))
