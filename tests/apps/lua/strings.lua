-- The string library: find/match/gmatch/gsub with patterns and captures, format, rep, byte/char,
-- pack/unpack, utf8, and string building.
local s = "The quick brown fox jumps over the lazy dog"
print(s:len(), s:upper(), s:lower():sub(5, 9), s:sub(-3), s:sub(-100, 3))
print(s:find("fox"), s:find("o", 20, true), s:find("(%a+) (%a+)$"))
print(s:match("(%a+) fox"), s:match("%d"), ("key = value"):match("^(%w+)%s*=%s*(%w+)$"))
local words = {}
for w in s:gmatch("%a+") do words[#words + 1] = w:sub(1, 1) end
print(table.concat(words))
print(s:gsub("o", "0"))
print(s:gsub("(%w+)", "<%1>", 3))
print(("hello world"):gsub("%w+", {hello = "HI", world = false}))
print(("abc"):gsub("", "-"))
print(("x = 1, y = 22"):gsub("(%w+) = (%d+)", function(k, v) return v .. "=" .. k end))
print(("  trim me  "):match("^%s*(.-)%s*$") .. "|")
print(("[[nested]]"):find("[[", 1, true), ("%d"):gsub("%%", "%%%%"))
print(("THE (quick) fox"):find("%((%a+)%)"))
print(("f(a(b)c)d"):match("%b()"), ("  x"):find("%f[%w]"))
print(string.format("%5d|%-5d|%05.1f|%x|%X|%o|%e|%g|%g", 42, 42, 3.14159, 255, 255, 8, 12345.678, 0.0001, 1e20))
print(string.format("%q", 'a "quoted"\n string\0'))
print(string.format("%s %s %s", nil, true, 12), string.format("%10.3s|", "abcdef"))
print(string.format("%a", 1.0) == "0x1p+0", string.format("%i", 7), string.format("%c%c%c", 76, 117, 97))
print(("ab"):rep(3, ","), ("x"):rep(0), ("abc"):reverse(), ("abc"):byte(1, -1))
print(string.char(72, 105), #string.rep("a", 100000))
local packed = string.pack("<i4 >i2 z s1 d", 100, -2, "zs", "len", 1.5)
print(#packed, string.unpack("<i4 >i2 z s1 d", packed))
print(string.packsize("i4 i8 d"), pcall(string.pack, "i17", 1))
print(utf8.char(72, 228, 8364, 128512), utf8.len("häll€"), utf8.codepoint("€", 1))
for p, c in utf8.codes("aé€") do io.write(p, ":", c, " ") end
print()
print(tostring(12), tostring(1.5), tostring(-0.0), tostring(1e100), 10 / 3, 2^63, math.pi)
print(tonumber("0x1F"), tonumber("  12  "), tonumber("1e3"), tonumber("z", 36), tonumber("10", 2), tonumber("abc"))
print(("%d"):format(3), #"\u{10FFFF}", "\65\066\x43", "a\z
       b")
-- string building: concat in a loop vs table.concat
local parts = {}
for i = 1, 1000 do parts[#parts + 1] = tostring(i) end
local joined = table.concat(parts, ",")
local acc = ""
for i = 1, 200 do acc = acc .. i end
print(#joined, joined:sub(1, 20), #acc, acc:sub(-10))
print(("a,b,,c"):find(",", 1, true), select("#", ("a,b,,c"):gsub(",", ";")))
print(string.format("%-10s|%10s|", "left", "right"), ("CamelCaseString"):gsub("(%u)", " %1"))
print(("test123abc"):match("^(%a+)(%d+)(%a+)$"))
print(string.format("%.14g", 0.1 + 0.2), 0.1 + 0.2 == 0.3, math.abs(0.1 + 0.2 - 0.3) < 1e-15)
