// The test is that every generated translation unit compiled; this main only links them.
int main() { return 0; }
