-- A CGI script in Lua, for the WALI-built interpreter of tests/apps (tests/apps/wasm/lua.wasm,
-- `lua SCRIPT`): a text/plain greeting that echoes the request line's CGI variables and the
-- query string's name=value pairs (sorted by name), then the request body.
local method = os.getenv("REQUEST_METHOD") or "GET"
local query = os.getenv("QUERY_STRING") or ""

local function decode(s)
  s = s:gsub("%+", " ")
  return (s:gsub("%%(%x%x)", function(h) return string.char(tonumber(h, 16)) end))
end

local params, names = {}, {}
for pair in query:gmatch("[^&]+") do
  local k, v = pair:match("^([^=]*)=?(.*)$")
  k = decode(k)
  if params[k] == nil then names[#names + 1] = k end
  params[k] = decode(v)
end
table.sort(names)

local length = tonumber(os.getenv("CONTENT_LENGTH") or "") or 0
local body = length > 0 and io.read(length) or ""

io.write("Content-Type: text/plain\n\n")
io.write("Hello from Lua (", _VERSION, ")!\n")
io.write("method=", method, "\n")
io.write("path=", (os.getenv("SCRIPT_NAME") or ""), (os.getenv("PATH_INFO") or ""), "\n")
for _, k in ipairs(names) do io.write("query.", k, "=", params[k], "\n") end
io.write("body=", body or "", "\n")
