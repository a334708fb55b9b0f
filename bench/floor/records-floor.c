// The least an engine can do per stage run and still keep Waybill's records, as a yardstick for
// bench/scripts/many-stages-vs-xargs.sh: runs `sh -c COMMAND` once per line of ITEMS, SLOTS at a time, each in its own
// process group and item folder with stdout and stderr on pipes that are drained as it runs, and writes what Waybill
// writes per stage run, at the sizes Waybill writes them (strace of a no-op item): the item's folder, its stage.log (a
// line as it starts, one as it ends), its manifest.json written whole to a temporary file and renamed, and the job's
// lines (pipeline log, events.jsonl and OpenLineage events as it starts and ends, the journal as it ends). No parsing,
// no fingerprints, no checksums: what is left between this and Waybill is the engine's own work.
//
// Usage: records-floor ITEMS SLOTS COMMAND [bare]   (bare: spawn and drain only, no records)
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

enum { MaxSlots = 64 };

struct slot { pid_t pid; int out, err; char folder[4096]; };

static char filler[4096];

static void fail(const char *what) { perror(what); exit(1); }

static void put(int fd, size_t bytes) { if (write(fd, filler, bytes) != (ssize_t)bytes) fail("write"); }

static int open_job_file(const char *name) {
  int fd = open(name, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) fail(name);
  return fd;
}

static void append(const char *path, size_t bytes, int flags) {
  int fd = open(path, O_WRONLY | O_CLOEXEC | flags, 0644);
  if (fd < 0) fail(path);
  put(fd, bytes);
  close(fd);
}

int main(int argc, char **argv) {
  if (argc < 4) { fprintf(stderr, "usage: records-floor ITEMS SLOTS COMMAND [bare]\n"); return 2; }
  FILE *items = fopen(argv[1], "r");
  int slots = atoi(argv[2]), records = !(argc > 4 && strcmp(argv[4], "bare") == 0);
  if (!items || slots < 1 || slots > MaxSlots) { fprintf(stderr, "records-floor: bad items file or slot count\n"); return 2; }
  memset(filler, 'x', sizeof filler);
  int pipeline = open_job_file("pipeline.log"), events = open_job_file("events.jsonl");
  int lineage = open_job_file("openlineage.jsonl"), journal = open_job_file("journal.jsonl");
  if (mkdir("items", 0777) && errno != EEXIST) fail("items");
  struct slot running[MaxSlots] = {0};
  int busy = 0, more = 1;
  char line[1024], path[4200];
  while (more || busy) {
    for (int s = 0; s < slots && more; s++) {
      if (running[s].pid) continue;
      if (!fgets(line, sizeof line, items)) { more = 0; break; }
      size_t length = strcspn(line, "\n");
      if (line[length] != '\n' && !feof(items)) {
        fprintf(stderr, "records-floor: an item of %s is longer than %zu bytes\n", argv[1], sizeof line - 2);
        return 2;
      }
      line[length] = 0;
      struct slot *it = &running[s];
      snprintf(it->folder, sizeof it->folder, "items/%s", line);
      if (records) {
        if (mkdir(it->folder, 0777)) fail(it->folder);
        snprintf(path, sizeof path, "%s/stage.log", it->folder);
        append(path, 441, O_CREAT | O_EXCL);
        put(pipeline, 69); put(events, 234); put(lineage, 1231);
      }
      int out[2], err[2];
      if (pipe2(out, O_CLOEXEC) || pipe2(err, O_CLOEXEC)) fail("pipe2");
      posix_spawn_file_actions_t actions;
      posix_spawnattr_t attributes;
      posix_spawn_file_actions_init(&actions);
      posix_spawn_file_actions_adddup2(&actions, out[1], 1);
      posix_spawn_file_actions_adddup2(&actions, err[1], 2);
      posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0);
      if (records) posix_spawn_file_actions_addchdir_np(&actions, it->folder);
      posix_spawnattr_init(&attributes);
      posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETPGROUP);
      char *args[] = {"/bin/sh", "-c", argv[3], NULL};
      if (posix_spawn(&it->pid, "/bin/sh", &actions, &attributes, args, environ)) fail("posix_spawn");
      posix_spawn_file_actions_destroy(&actions);
      posix_spawnattr_destroy(&attributes);
      close(out[1]); close(err[1]);
      it->out = out[0]; it->err = err[0];
      busy++;
    }
    // Drain every open pipe; a slot whose two pipes are at their end has a child to reap.
    struct pollfd fds[2 * MaxSlots];
    int owner[2 * MaxSlots], n = 0;
    for (int s = 0; s < slots; s++) {
      if (!running[s].pid) continue;
      if (running[s].out >= 0) { fds[n] = (struct pollfd){running[s].out, POLLIN, 0}; owner[n++] = s; }
      if (running[s].err >= 0) { fds[n] = (struct pollfd){running[s].err, POLLIN, 0}; owner[n++] = s; }
    }
    if (n > 0 && poll(fds, n, -1) < 0 && errno != EINTR) fail("poll");
    for (int i = 0; i < n; i++) {
      if (!fds[i].revents) continue;
      char buffer[65536];
      if (read(fds[i].fd, buffer, sizeof buffer) > 0) continue;
      close(fds[i].fd);
      struct slot *it = &running[owner[i]];
      if (it->out == fds[i].fd) it->out = -1; else it->err = -1;
    }
    for (int s = 0; s < slots; s++) {
      struct slot *it = &running[s];
      if (!it->pid || it->out >= 0 || it->err >= 0) continue;
      // The group first, while the unreaped child still holds its id: what it left running goes, as in Waybill.
      kill(-it->pid, SIGKILL);
      int status;
      if (waitpid(it->pid, &status, 0) < 0) fail("waitpid");
      if (records) {
        snprintf(path, sizeof path, "%s/stage.log", it->folder);
        append(path, 240, O_APPEND);
        char temporary[4200];
        snprintf(temporary, sizeof temporary, "%s/.manifest.json.tmp", it->folder);
        append(temporary, 1555, O_CREAT | O_EXCL);
        snprintf(path, sizeof path, "%s/manifest.json", it->folder);
        if (rename(temporary, path)) fail("rename");
        put(pipeline, 75); put(events, 1126); put(lineage, 1588); put(journal, 306);
      }
      it->pid = 0;
      busy--;
    }
  }
  return 0;
}
