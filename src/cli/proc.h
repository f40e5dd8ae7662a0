/* Running another program from the command line (PostgreSQL's pg_dump,
 * pg_restore and psql for bingfa backup and restore): found in a given
 * directory or on PATH, with its standard input and output connected where
 * the caller says, its standard error the command's own, and a password
 * given through the environment (PGPASSWORD) rather than its arguments,
 * which every user of the machine can read. */
#ifndef BF_CLI_PROC_H
#define BF_CLI_PROC_H

#include <stddef.h>
#include <sys/types.h>

/* Starts argv[0], from dir when dir is not NULL (else PATH), with argv;
 * its standard input reads in_fd and its output writes out_fd (-1: from
 * /dev/null, to /dev/null); PGPASSWORD=password in its environment when
 * password is not "" or NULL. The pid, or -1 after saying why. */
pid_t proc_start(const char *dir, char *const argv[], int in_fd, int out_fd, const char *password);

/* Waits for pid: its exit status, or -1 (said why) when it did not exit. */
int proc_wait(pid_t pid, const char *name);

/* pipe(2) whose ends children do not inherit; 0, or -1 after saying why. */
int proc_pipe(int fds[2]);

/* Runs argv to the end (proc_start, proc_wait): its exit status or -1. */
int proc_run(const char *dir, char *const argv[], int out_fd, const char *password);

/* Runs argv and keeps what it writes, up to max bytes, in *out (malloc'd,
 * NUL-terminated, *len bytes): its exit status, or -1 (more than max, or it
 * could not run). */
int proc_output(const char *dir, char *const argv[], const char *password, size_t max, char **out,
                size_t *len);

#endif
