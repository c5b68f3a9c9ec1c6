/* Our minimal standalone Lua: `lua SCRIPT [ARGS...]` runs SCRIPT ("-" reads stdin), and
 * `lua -e CODE [ARGS...]` runs CODE (for callers without a file system, e.g. `cwali serve`
 * sandboxes), with the standard libraries and a global `arg` table as the reference interpreter sets it
 * (arg[0] = SCRIPT, arg[1..] = ARGS). Errors print `lua: MESSAGE` plus a traceback on stderr
 * and exit 1; `os.exit` ends the process itself. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "lua.h"
#include "lauxlib.h"
#include "lualib.h"

static int traceback(lua_State *L) {
    const char *msg = lua_tostring(L, 1);
    if (msg == NULL) msg = "(error object is not a string)";
    luaL_traceback(L, L, msg, 1);
    return 1;
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: lua SCRIPT [ARGS...]\n");
        return 2;
    }
    lua_State *L = luaL_newstate();
    if (L == NULL) {
        fprintf(stderr, "lua: cannot create state\n");
        return 1;
    }
    luaL_openlibs(L);
    lua_createtable(L, argc - 2, 1);
    for (int i = 1; i < argc; i++) {
        lua_pushstring(L, argv[i]);
        lua_rawseti(L, -2, i - 1);
    }
    lua_setglobal(L, "arg");
    lua_pushcfunction(L, traceback);
    int first_arg = 2, status;
    if (strcmp(argv[1], "-e") == 0 && argc > 2) {
        status = luaL_loadbuffer(L, argv[2], strlen(argv[2]), "=(command line)");
        first_arg = 3;
    } else {
        const char *script = strcmp(argv[1], "-") == 0 ? NULL : argv[1];
        status = luaL_loadfile(L, script);
    }
    if (status == LUA_OK) {
        for (int i = first_arg; i < argc; i++) lua_pushstring(L, argv[i]);
        status = lua_pcall(L, argc - first_arg, 0, 1);
    }
    if (status != LUA_OK) {
        fprintf(stderr, "lua: %s\n", lua_tostring(L, -1));
        lua_close(L);
        return 1;
    }
    lua_close(L);
    return 0;
}
