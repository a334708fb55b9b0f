// What SQLite itself costs to index one run of the 500-stage benchmark, as a yardstick for
// bench/scripts/catalog-indexing-overhead.sh: inserts 500 stage_runs rows, with the values a run binds, into an
// existing catalog through the same statement (an upsert on the job folder and stage id), in transactions of 64 as a run
// writes them, through the libe_sqlite3 the build ships, and prints the CPU time the inserts took. No .NET, no rows
// made from manifests, no opening: what is left between this and a run's indexing is Waybill's own work.
//
// Usage: catalog-insert-floor CATALOG JOB [full|slim|nostarted]
//   JOB        a number: the run's rows go to a job folder of their own, their start times after every earlier one's
//   full       the rows as a run writes them (default)
//   slim       the columns every row of a job repeats (job folder, id, run id, host, index time) left short or empty:
//              what moving them to the jobs table would leave
//   nostarted  as full, after dropping the index by start time (the one `query --stats` reads)
// After the timed inserts the write-ahead log is copied into the file and emptied, as the next run's opening does.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

// The few entry points used, declared here so that no SQLite development package is needed.
typedef struct sqlite3 sqlite3;
typedef struct sqlite3_stmt sqlite3_stmt;
#define SQLITE_OPEN_READWRITE 0x00000002
#define SQLITE_DONE 101
#define SQLITE_TRANSIENT ((void (*)(void *))-1)
int sqlite3_open_v2(const char *, sqlite3 **, int, const char *);
int sqlite3_exec(sqlite3 *, const char *, void *, void *, char **);
int sqlite3_prepare_v2(sqlite3 *, const char *, int, sqlite3_stmt **, const char **);
int sqlite3_bind_text(sqlite3_stmt *, int, const char *, int, void (*)(void *));
int sqlite3_bind_int64(sqlite3_stmt *, int, long long);
int sqlite3_bind_double(sqlite3_stmt *, int, double);
int sqlite3_bind_null(sqlite3_stmt *, int);
int sqlite3_step(sqlite3_stmt *);
int sqlite3_reset(sqlite3_stmt *);
int sqlite3_finalize(sqlite3_stmt *);
int sqlite3_close(sqlite3 *);
const char *sqlite3_errmsg(sqlite3 *);

static double cpu_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
    return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

static void time_text(char *text, size_t size, long ms)
{
    snprintf(text, size, "2099-01-01T%02ld:%02ld:%02ld.%03ldZ", ms / 3600000 % 24, ms / 60000 % 60, ms / 1000 % 60, ms % 1000);
}

static void text(sqlite3_stmt *s, int *k, const char *value) { sqlite3_bind_text(s, (*k)++, value, -1, SQLITE_TRANSIENT); }

int main(int argc, char **argv)
{
    if (argc < 3) { fprintf(stderr, "usage: catalog-insert-floor CATALOG JOB [full|slim|nostarted]\n"); return 2; }
    const char *mode = argc > 3 ? argv[3] : "full";
    int slim = strcmp(mode, "slim") == 0;
    long job = atol(argv[2]);
    sqlite3 *db;
    if (sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READWRITE, 0)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    sqlite3_exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA wal_autocheckpoint=0", 0, 0, 0);
    if (strcmp(mode, "nostarted") == 0) sqlite3_exec(db, "DROP INDEX IF EXISTS stage_runs_started", 0, 0, 0);
    const char *sql = "INSERT INTO stage_runs (job_dir, job_id, stage_id, stage, stage_number, item_key, run_id, attempt, status, "
        "status_reason, kind, started, finished, duration_seconds, cpu_seconds, peak_rss_mb, read_bytes, write_bytes, cost_total, currency, "
        "host, exit_code, error, error_count, warning_count, manifest_path, shared, reused_from, code_cpu_seconds, indexed_at) "
        "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT (job_dir, stage_id) DO UPDATE SET "
        "job_id = excluded.job_id, status = excluded.status, started = excluded.started, indexed_at = excluded.indexed_at";
    sqlite3_stmt *s;
    if (sqlite3_prepare_v2(db, sql, -1, &s, 0)) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
    char dir[160], id[64], stage_id[32], stage[32], manifest[64], started[32], finished[32];
    snprintf(dir, sizeof dir, "/var/tmp/waybill-catalog-overhead/run-20991231-000000/out/floor-%ld", job);
    snprintf(id, sizeof id, "floor-%ld", job);
    double before = cpu_ms();
    for (int first = 1; first <= 500; first += 64)
    {
        sqlite3_exec(db, "BEGIN", 0, 0, 0);
        for (int i = first; i < first + 64 && i <= 500; i++)
        {
            snprintf(stage_id, sizeof stage_id, "%03d_s%d", i, i);
            snprintf(stage, sizeof stage, "s%d", i);
            snprintf(manifest, sizeof manifest, "%s/manifest.json", stage_id);
            time_text(started, sizeof started, job * 2000 + i * 3);
            time_text(finished, sizeof finished, job * 2000 + i * 3 + 1);
            int k = 1;
            if (slim) { sqlite3_bind_int64(s, k++, job); text(s, &k, ""); } else { text(s, &k, dir); text(s, &k, id); }
            text(s, &k, stage_id); text(s, &k, stage); sqlite3_bind_int64(s, k++, i); sqlite3_bind_null(s, k++);
            if (slim) sqlite3_bind_null(s, k++); else text(s, &k, "01a24a29-44cc-7bb8-b762-e3a46e6c1966");
            sqlite3_bind_int64(s, k++, 1); text(s, &k, "success"); sqlite3_bind_null(s, k++); text(s, &k, "command");
            text(s, &k, started); text(s, &k, finished);
            sqlite3_bind_double(s, k++, 0.003); sqlite3_bind_double(s, k++, 0.0021); sqlite3_bind_double(s, k++, 3.1);
            sqlite3_bind_int64(s, k++, 0); sqlite3_bind_int64(s, k++, 2); sqlite3_bind_null(s, k++); sqlite3_bind_null(s, k++);
            if (slim) sqlite3_bind_null(s, k++); else text(s, &k, "build-host");
            sqlite3_bind_int64(s, k++, 0); sqlite3_bind_null(s, k++); sqlite3_bind_int64(s, k++, 0); sqlite3_bind_int64(s, k++, 0);
            text(s, &k, manifest); sqlite3_bind_null(s, k++); sqlite3_bind_null(s, k++); sqlite3_bind_null(s, k++);
            text(s, &k, slim ? "" : finished);
            if (sqlite3_step(s) != SQLITE_DONE) { fprintf(stderr, "%s\n", sqlite3_errmsg(db)); return 1; }
            sqlite3_reset(s);
        }
        sqlite3_exec(db, "COMMIT", 0, 0, 0);
    }
    printf("%.3f\n", cpu_ms() - before);
    sqlite3_finalize(s);
    sqlite3_exec(db, "PRAGMA wal_checkpoint(TRUNCATE)", 0, 0, 0);
    sqlite3_close(db);
    return 0;
}
