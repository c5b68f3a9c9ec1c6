/* CGI guest `early`: exits with status 0 having written nothing at all (no header section). */
int main(void) { return 0; }
