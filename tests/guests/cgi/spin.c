/* CGI guest `spin`: loops forever without writing anything (a server must time it out). */
int main(void) {
    volatile unsigned long n = 0;
    for (;;) n++;
}
