-- io.popen both ways and the exit status of the command.
local p = io.popen("echo from a shell; exit 3")
print(p:read("l"))
print(p:close())
local w = io.popen("tr a-z A-Z", "w")
w:write("through a pipe\n")
print(w:close())
print(os.execute("exit 4"))
