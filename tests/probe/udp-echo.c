/*
 * UDP echo server for the published-port tests (busybox has no UDP server): binds 0.0.0.0:PORT and sends every
 * datagram back to its sender, prefixed with "echo:". Build: gcc -static -O2 -o udp-echo udp-echo.c
 * Usage: udp-echo PORT
 */
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

int main(int argc, char **argv)
{
    if (argc != 2) {
        fprintf(stderr, "usage: udp-echo PORT\n");
        return 2;
    }
    int s = socket(AF_INET, SOCK_DGRAM, 0);
    struct sockaddr_in addr = { .sin_family = AF_INET, .sin_port = htons((unsigned short)atoi(argv[1])) };
    if (s < 0 || bind(s, (struct sockaddr *)&addr, sizeof addr) != 0) {
        perror("udp-echo: bind");
        return 1;
    }
    char buf[65536];
    memcpy(buf, "echo:", 5);
    for (;;) {
        struct sockaddr_in peer;
        socklen_t len = sizeof peer;
        ssize_t n = recvfrom(s, buf + 5, sizeof buf - 5, 0, (struct sockaddr *)&peer, &len);
        if (n < 0) {
            perror("udp-echo: recvfrom");
            return 1;
        }
        sendto(s, buf, (size_t)n + 5, 0, (struct sockaddr *)&peer, len);
    }
}
