// Starts a program as PosixSpawn.Start does through posix_spawn, for the native process spawner, without what
// posix_spawn costs per call: glibc maps and unmaps a fresh stack for each child, and the child asks for and resets the
// disposition of every signal (71 rt_sigaction calls) before its exec. Here the child runs on a stack made once, the
// kernel resets its signal handlers (clone3 with CLONE_CLEAR_SIGHAND), and the pidfd comes with the clone (CLONE_PIDFD).
// Where clone3 or its flags are refused (an older kernel, a seccomp filter), it answers -1 and the caller uses
// posix_spawn from then on.
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define STACK_BYTES (64 * 1024)
#define GUARD_BYTES 4096

struct spawn
{
    const char *path;
    char *const *argv;
    char *const *envp;
    const char *cwd;
    const int *moves; // pairs: from, to
    int move_count;
    const int *closes;
    int close_count;
    const int *defaults; // ignored signals to set back to their default (handlers are cleared by the kernel)
    int default_count;
    int null_input; // /dev/null, opened once (close-on-exec, above 2: no move or the input replaces it first)
    volatile int error;
};

#if defined(__x86_64__)

struct clone3_args
{
    uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls, set_tid, set_tid_size, cgroup;
};

#define CLONE3_VM 0x100ULL
#define CLONE3_PIDFD 0x1000ULL
#define CLONE3_VFORK 0x4000ULL
#define CLONE3_CLEAR_SIGHAND 0x100000000ULL

// In the child, until its exec: it shares the parent's memory, and the parent waits (CLONE_VFORK). Only calls that are
// safe there; a failure is left in the shared request and ends the child with 127, as posix_spawn's child does.
__attribute__((noreturn)) static void child(struct spawn *s)
{
    struct sigaction standard;
    memset(&standard, 0, sizeof standard);
    standard.sa_handler = SIG_DFL;
    for (int i = 0; i < s->default_count; i++)
        if (sigaction(s->defaults[i], &standard, NULL) != 0) goto failed;
    if (setpgid(0, 0) != 0) goto failed;
    for (int i = 0; i < s->close_count; i++) (void)close(s->closes[i]);
    for (int i = 0; i < s->move_count; i++)
    {
        int from = s->moves[2 * i], to = s->moves[2 * i + 1];
        if (from == to)
        {
            int flags = fcntl(from, F_GETFD);
            if (flags < 0 || fcntl(from, F_SETFD, flags & ~FD_CLOEXEC) != 0) goto failed;
        }
        else if (dup2(from, to) < 0) goto failed;
    }
    // The copy dup2 makes stays open across the exec.
    if (dup2(s->null_input, 0) < 0) goto failed;
    if (s->cwd != NULL && chdir(s->cwd) != 0) goto failed;
    sigset_t none;
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) != 0) goto failed;
    execve(s->path, s->argv, s->envp);
failed:
    s->error = errno;
    _exit(127);
}

// clone3 on a stack of the child's own: the child starts at the instruction after the syscall with that stack, and
// calls child() straight away, never coming back here (the parent's frames stay as they were).
static long clone3_into_child(struct clone3_args *args, struct spawn *s)
{
    register struct spawn *request __asm__("r12") = s;
    register void (*entry)(struct spawn *) __asm__("r13") = child;
    long result;
    __asm__ volatile(
        "syscall\n\t"
        "test %%rax, %%rax\n\t"
        "jnz 1f\n\t"
        "xor %%ebp, %%ebp\n\t"
        "mov %%r12, %%rdi\n\t"
        "call *%%r13\n\t"
        "ud2\n"
        "1:"
        : "=a"(result)
        : "a"((long)SYS_clone3), "D"(args), "S"(sizeof *args), "r"(request), "r"(entry)
        : "rcx", "r11", "memory");
    return result;
}

// Only the spawner's serving thread starts children, one at a time: one stack serves every child, and one descriptor of
// /dev/null every child's input (an open and a close less in each child: 3% of the spawner's CPU).
static char *s_stack;
static int s_null = -1;

int waybill_clone_spawn(const char *path, char *const *argv, char *const *envp, const char *cwd, const int *moves, int move_count,
    const int *closes, int close_count, const int *defaults, int default_count, int *pid, int *pidfd)
{
    if (s_stack == NULL)
    {
        char *mapped = mmap(NULL, GUARD_BYTES + STACK_BYTES, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK, -1, 0);
        if (mapped == MAP_FAILED) return errno;
        if (mprotect(mapped, GUARD_BYTES, PROT_NONE) != 0)
        {
            int error = errno;
            munmap(mapped, GUARD_BYTES + STACK_BYTES);
            return error;
        }
        s_stack = mapped + GUARD_BYTES;
    }
    if (s_null < 0)
    {
        int opened = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (opened < 0) return errno;
        s_null = opened > 2 ? opened : fcntl(opened, F_DUPFD_CLOEXEC, 3);
        int error = errno;
        if (opened <= 2) (void)close(opened);
        if (s_null < 0) return error;
    }

    struct spawn s = { path, argv, envp, cwd, moves, move_count, closes, close_count, defaults, default_count, s_null, 0 };
    int fd = -1;
    struct clone3_args args;
    memset(&args, 0, sizeof args);
    args.flags = CLONE3_VM | CLONE3_VFORK | CLONE3_CLEAR_SIGHAND | CLONE3_PIDFD;
    args.pidfd = (uint64_t)(uintptr_t)&fd;
    args.exit_signal = SIGCHLD;
    args.stack = (uint64_t)(uintptr_t)s_stack;
    args.stack_size = STACK_BYTES;

    // No signal is handled in the child before the kernel has cleared the handlers; the child sets its own mask.
    uint64_t all = ~0ULL, old;
    syscall(SYS_rt_sigprocmask, SIG_BLOCK, &all, &old, sizeof all);
    long child_pid = clone3_into_child(&args, &s);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &old, NULL, sizeof old);

    if (child_pid < 0)
    {
        long error = -child_pid;
        return error == ENOSYS || error == EINVAL || error == EPERM ? -1 : (int)error;
    }
    if (s.error != 0)
    {
        // As posix_spawn does: the child that could not start its program is reaped here, and only the error is told.
        (void)close(fd);
        (void)waitpid((pid_t)child_pid, NULL, 0);
        return s.error;
    }
    *pid = (int)child_pid;
    *pidfd = fd;
    return 0;
}

#else

int waybill_clone_spawn(const char *path, char *const *argv, char *const *envp, const char *cwd, const int *moves, int move_count,
    const int *closes, int close_count, const int *defaults, int default_count, int *pid, int *pidfd)
{
    (void)path, (void)argv, (void)envp, (void)cwd, (void)moves, (void)move_count, (void)closes, (void)close_count;
    (void)defaults, (void)default_count, (void)pid, (void)pidfd;
    return -1;
}

#endif
