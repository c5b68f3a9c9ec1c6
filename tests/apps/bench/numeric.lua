-- A numeric loop: integer and float arithmetic, a Collatz walk and a Leibniz series.
local n = tonumber(arg and arg[1]) or 3000000
local steps = 0
for i = 1, n // 10 do
  local x = i
  while x ~= 1 do
    if x % 2 == 0 then x = x // 2 else x = 3 * x + 1 end
    steps = steps + 1
  end
end
local pi = 0.0
local sign = 1.0
for k = 0, n - 1 do
  pi = pi + sign / (2 * k + 1)
  sign = -sign
end
print(string.format("collatz steps %d pi %.10f", steps, 4 * pi))
