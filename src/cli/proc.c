/* Running another program (see proc.h). */
#include "cli/proc.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli/cli.h"

extern char **environ;

/* environ, with PGPASSWORD=password in place of any it had when password is
 * given (malloc'd; the strings are environ's and pw_entry); NULL without
 * memory. Without a password, the caller's PGPASSWORD (if any) stays. */
static char **env_with_password(const char *pw, char *pw_entry)
{
    bool given = pw != NULL && pw[0] != '\0';
    size_t n = 0;
    while (environ[n] != NULL)
        n++;
    char **env = calloc(n + 2, sizeof(*env));
    if (env == NULL)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (!given || strncmp(environ[i], "PGPASSWORD=", 11) != 0)
            env[k++] = environ[i];
    if (given)
        env[k++] = pw_entry;
    return env;
}

pid_t proc_start(const char *dir, char *const argv[], int in_fd, int out_fd, const char *password)
{
    char path[4096], pw_entry[1100];
    if (dir != NULL)
        snprintf(path, sizeof(path), "%s/%s", dir, argv[0]);
    snprintf(pw_entry, sizeof(pw_entry), "PGPASSWORD=%s", password ? password : "");
    char **env = env_with_password(password, pw_entry);
    posix_spawn_file_actions_t fa;
    if (env == NULL || posix_spawn_file_actions_init(&fa) != 0) {
        free(env);
        cli_error("out of memory");
        return -1;
    }
    if (in_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, in_fd, STDIN_FILENO);
    else
        posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    if (out_fd >= 0)
        posix_spawn_file_actions_adddup2(&fa, out_fd, STDOUT_FILENO);
    else
        posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = dir != NULL ? posix_spawn(&pid, path, &fa, NULL, argv, env)
                         : posix_spawnp(&pid, argv[0], &fa, NULL, argv, env);
    posix_spawn_file_actions_destroy(&fa);
    explicit_bzero(pw_entry, sizeof(pw_entry));
    free(env);
    if (rc != 0) {
        cli_error("cannot run %s: %s%s", dir != NULL ? path : argv[0], strerror(rc),
                  rc == ENOENT ? " (install postgresql-client, or name its directory with "
                                 "--pg-bin)"
                               : "");
        return -1;
    }
    return pid;
}

int proc_wait(pid_t pid, const char *name)
{
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR) {
            cli_error("waiting for %s: %s", name, strerror(errno));
            return -1;
        }
    if (WIFEXITED(status))
        return WEXITSTATUS(status);
    cli_error("%s was stopped by signal %d", name, WIFSIGNALED(status) ? WTERMSIG(status) : 0);
    return -1;
}

int proc_pipe(int fds[2])
{
    if (pipe(fds) != 0) {
        cli_error("pipe: %s", strerror(errno));
        return -1;
    }
    /* Neither end goes to a child but as its standard input or output: a
     * reader waits for its end of file until every write end is closed. */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    return 0;
}

int proc_run(const char *dir, char *const argv[], int out_fd, const char *password)
{
    pid_t pid = proc_start(dir, argv, -1, out_fd, password);
    return pid < 0 ? -1 : proc_wait(pid, argv[0]);
}

/* Reads fd to its end into a malloc'd buffer of at most max bytes. */
static bool read_all(int fd, size_t max, char **out, size_t *len)
{
    size_t cap = 64 * 1024, n = 0;
    char *b = malloc(cap + 1);
    bool ok = b != NULL;
    while (ok) {
        if (n == cap) {
            char *bigger = cap < max ? realloc(b, (cap *= 2) + 1) : NULL;
            if (bigger == NULL) {
                ok = false;
                break;
            }
            b = bigger;
        }
        ssize_t r = read(fd, b + n, cap - n);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0) {
            ok = r == 0;
            break;
        }
        n += (size_t)r;
    }
    if (!ok) {
        free(b);
        return false;
    }
    b[n] = '\0';
    *out = b;
    *len = n;
    return true;
}

int proc_output(const char *dir, char *const argv[], const char *password, size_t max, char **out,
                size_t *len)
{
    int fds[2];
    *out = NULL;
    *len = 0;
    if (proc_pipe(fds) != 0)
        return -1;
    pid_t pid = proc_start(dir, argv, -1, fds[1], password);
    close(fds[1]);
    bool ok = pid >= 0 && read_all(fds[0], max, out, len);
    close(fds[0]);
    int status = pid >= 0 ? proc_wait(pid, argv[0]) : -1;
    if (!ok && pid >= 0)
        cli_error("%s wrote more than %zu bytes, or it could not be read", argv[0], max);
    if (!ok || status < 0) {
        free(*out);
        *out = NULL;
        return -1;
    }
    return status;
}
