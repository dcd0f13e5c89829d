/* SPDX-License-Identifier: GPL-2.0-or-later */
/* `forja answer countdown`: before an answer that a DHCP or DNS server
 * offered is installed, the consoles show a countdown; a key on any of them
 * stops it (iso-build/data/init then starts the interactive installer). */

#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <termios.h>
#include <time.h>

#include "log.h"
#include "strutil.h"
#include "countdown.h"

#define COUNTDOWN_MAX_CONSOLES 8

typedef struct Console {
        int fd;
        bool tty;
        struct termios saved;
} Console;

static void say(Console *c, size_t n, const char *fmt, ...) _printf_(3, 4);
static void say(Console *c, size_t n, const char *fmt, ...) {
        char buf[512];
        va_list ap;
        va_start(ap, fmt);
        int len = vsnprintf(buf, sizeof buf, fmt, ap);
        va_end(ap);
        if (len < 0)
                return;
        for (size_t i = 0; i < n; i++)
                (void) !write(c[i].fd, buf, MIN((size_t) len, sizeof buf - 1));
}

static uint64_t now_ms(void) {
        struct timespec ts;
        clock_gettime(CLOCK_MONOTONIC, &ts);
        return (uint64_t) ts.tv_sec * 1000 + (uint64_t) ts.tv_nsec / 1000000;
}

int answer_countdown(char *const *consoles, unsigned seconds, const char *source) {
        Console c[COUNTDOWN_MAX_CONSOLES];
        size_t n = 0;
        int r = 0;

        for (char *const *p = consoles; *p && n < COUNTDOWN_MAX_CONSOLES; p++) {
                int fd = open(*p, O_RDWR | O_NOCTTY | O_NONBLOCK | O_CLOEXEC);
                if (fd < 0) {
                        log_warning_errno(errno, "countdown: cannot open %s: %m", *p);
                        continue;
                }
                c[n] = (Console) { .fd = fd };
                /* Single keys, not lines; nothing echoed; earlier input dropped. */
                if (tcgetattr(fd, &c[n].saved) == 0) {
                        struct termios raw = c[n].saved;
                        raw.c_lflag &= ~(ICANON | ECHO);
                        raw.c_cc[VMIN] = 0;
                        raw.c_cc[VTIME] = 0;
                        c[n].tty = tcsetattr(fd, TCSANOW, &raw) == 0;
                        (void) tcflush(fd, TCIFLUSH);
                }
                n++;
        }
        if (n == 0)
                return log_error_errno(ENODEV, "countdown: no console could be opened.");

        say(c, n, "\r\nforja: an answer server on the network offered an unattended install:\r\n"
                  "  %s\r\n"
                  "It will ERASE the disks its answer selects. Press any key for the interactive installer.\r\n",
            source);
        uint64_t end = now_ms() + (uint64_t) seconds * 1000;
        for (unsigned left = seconds; left > 0 && r == 0; left--) {
                say(c, n, "\rUnattended install starts in %u s... ", left);
                uint64_t tick = end - (uint64_t) (left - 1) * 1000;
                for (uint64_t t; r == 0 && (t = now_ms()) < tick;) {
                        struct pollfd pfd[COUNTDOWN_MAX_CONSOLES];
                        for (size_t i = 0; i < n; i++)
                                pfd[i] = (struct pollfd) { .fd = c[i].fd, .events = POLLIN };
                        int k = poll(pfd, n, (int) (tick - t));
                        if (k < 0 && errno != EINTR)
                                r = -errno;
                        for (size_t i = 0; k > 0 && i < n; i++) {
                                char key[16];
                                if ((pfd[i].revents & POLLIN) && read(c[i].fd, key, sizeof key) > 0)
                                        r = 1;
                        }
                }
        }
        if (r == 1)
                say(c, n, "\r\nStopped by a key press: no unattended install.\r\n");
        else if (r == 0)
                say(c, n, "\r\nStarting the unattended install.\r\n");
        for (size_t i = 0; i < n; i++) {
                if (c[i].tty) {
                        (void) tcflush(c[i].fd, TCIFLUSH);
                        (void) tcsetattr(c[i].fd, TCSANOW, &c[i].saved);
                }
                close(c[i].fd);
        }
        return r;
}
