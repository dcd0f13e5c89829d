/* SPDX-License-Identifier: GPL-2.0-or-later */
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>
/* The buffer-less streaming API (ZSTD_decompressContinue) is in the part of
 * zstd.h behind this macro; libzstd.so exports it and it has not changed
 * since zstd 1.0. */
#define ZSTD_STATIC_LINKING_ONLY
#include <zstd.h>

#include "env-hooks.h"
#include "extract-write.h"
#include "extract.h"
#include "macro.h"
#include "strutil.h"

/* The compressed stream is read and hashed by a reader thread into a small
 * ring of chunk buffers while libarchive decompresses and writes the previous
 * chunk, so verification costs no wall time on a machine with two cores.
 * About BUFFER_BYTES of them: with 3 buffers of 4 MiB the decoder waited
 * 0.15-0.3 s per node image for the next verified chunk (the reader cannot
 * hand a chunk over before all of it is hashed), with 5 about 0.05 s. */
#define MIN_BUFFERS 3
#define MAX_BUFFERS 8
#define BUFFER_BYTES (20u << 20)
#define UNVERIFIED_BUFFER_SIZE (4u << 20)

typedef struct Buffer {
        uint8_t *data;
        size_t len;
        bool full;
} Buffer;

typedef struct Reader {
        int fd;
        const ImageChunks *chunks;
        size_t buffer_size;

        pthread_mutex_t lock;
        pthread_cond_t cond;
        Buffer buffers[MAX_BUFFERS];
        size_t n_buffers;
        size_t fill;            /* next buffer the thread fills */
        size_t take;            /* next buffer libarchive takes */
        bool taken;             /* libarchive holds buffers[take - 1] */
        bool eof;
        bool stop;
        int error;              /* negative errno once the reader failed */
        uint64_t bad_chunk;
        char message[256];

        uint64_t consumed;      /* bytes handed to libarchive */
        const InstallUi *ui;

        bool direct;            /* the reader set O_DIRECT on fd (saved_flags: as it was) */
        int saved_flags;

        /* Called (without the lock) before libarchive's side waits for input. */
        void (*before_wait)(void *userdata);
        void *before_wait_userdata;
} Reader;

static void reader_fail(Reader *r, int error, const char *fmt, ...) _printf_(3, 4);
static void reader_fail(Reader *r, int error, const char *fmt, ...) {
        va_list ap;
        va_start(ap, fmt);
        pthread_mutex_lock(&r->lock);
        if (r->error == 0) {
                r->error = error;
                vsnprintf(r->message, sizeof(r->message), fmt, ap);
        }
        pthread_cond_broadcast(&r->cond);
        pthread_mutex_unlock(&r->lock);
        va_end(ap);
}

/* A regular image file is read with O_DIRECT: read once, it needs no page
 * cache, and the kernel then neither copies it (328 MiB for the node image)
 * nor fills and reclaims the cache with it. Buffers are page-aligned and
 * chunks a multiple of the page size for that; where the file system or an
 * unaligned read refuses it (EINVAL), reading goes on through the cache. */
#define DIRECT_ALIGN 4096u

static void reader_try_direct(Reader *r) {
        struct stat st;
        if (fstat(r->fd, &st) < 0 || !S_ISREG(st.st_mode) || r->buffer_size % DIRECT_ALIGN != 0)
                return;
        off_t pos = lseek(r->fd, 0, SEEK_CUR);
        int flags = fcntl(r->fd, F_GETFL);
        if (pos < 0 || pos % DIRECT_ALIGN != 0 || flags < 0 || (flags & O_DIRECT))
                return;
        if (fcntl(r->fd, F_SETFL, flags | O_DIRECT) < 0)
                return;
        r->direct = true;
        r->saved_flags = flags;
}

static void reader_end_direct(Reader *r) {
        if (r->direct)
                (void) fcntl(r->fd, F_SETFL, r->saved_flags);
        r->direct = false;
}

static int read_fully(Reader *r, uint8_t *p, size_t size, size_t *ret_len) {
        size_t len = 0;
        while (len < size) {
                ssize_t k = read(r->fd, p + len, size - len);
                if (k < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EINVAL && r->direct) {
                                reader_end_direct(r);
                                continue;
                        }
                        return negative_errno();
                }
                if (k == 0)
                        break;
                len += k;
        }
        *ret_len = len;
        return 0;
}

uint64_t image_chunk_count(uint64_t size, uint64_t chunk_size) {
        if (chunk_size == 0)
                return 0;
        /* Not (size + chunk_size - 1) / chunk_size: that overflows near the top. */
        return size / chunk_size + (size % chunk_size != 0);
}

static bool chunk_matches(const uint8_t *data, size_t len, const uint8_t want[32]) {
        uint8_t got[32];
        unsigned got_len = 0;
        if (EVP_Digest(data, len, got, &got_len, EVP_sha256(), NULL) != 1 || got_len != 32)
                return false;
        return memcmp(got, want, 32) == 0;
}

static void *reader_thread(void *userdata) {
        Reader *r = userdata;
        const ImageChunks *c = r->chunks;
        uint64_t offset = 0;

        for (uint64_t index = 0;; index++) {
                pthread_mutex_lock(&r->lock);
                Buffer *b = &r->buffers[r->fill];
                while (b->full && !r->stop)
                        pthread_cond_wait(&r->cond, &r->lock);
                bool stop = r->stop;
                pthread_mutex_unlock(&r->lock);
                if (stop)
                        return NULL;

                size_t len;
                int k = read_fully(r, b->data, r->buffer_size, &len);
                if (k < 0) {
                        reader_fail(r, k, "Failed to read the image at offset %" PRIu64 ": %s", offset, strerror(-k));
                        return NULL;
                }
                if (c) {
                        if (len == 0 && index != c->n_chunks) {
                                reader_fail(r, -EBADMSG, "Image is truncated: %" PRIu64 " bytes, the manifest says %" PRIu64 ".",
                                            offset, c->total_size);
                                return NULL;
                        }
                        if (len > 0 && (index >= c->n_chunks || offset + len > c->total_size)) {
                                reader_fail(r, -EBADMSG, "Image is longer than its manifest says (%" PRIu64 " bytes).", c->total_size);
                                return NULL;
                        }
                        if (len > 0 && !chunk_matches(b->data, len, c->sha256[index])) {
                                r->bad_chunk = index;
                                reader_fail(r, -EBADMSG, "Image chunk %" PRIu64 " (bytes %" PRIu64 "-%" PRIu64 ") does not match its SHA-256 in the manifest.",
                                            index, offset, offset + len - 1);
                                return NULL;
                        }
                }
                offset += len;

                pthread_mutex_lock(&r->lock);
                if (len == 0)
                        r->eof = true;
                else {
                        b->len = len;
                        b->full = true;
                        r->fill = (r->fill + 1) % r->n_buffers;
                }
                pthread_cond_broadcast(&r->cond);
                pthread_mutex_unlock(&r->lock);
                if (len == 0)
                        return NULL;
        }
}

static la_ssize_t reader_read(struct archive *a, void *userdata, const void **ret_buf) {
        Reader *r = userdata;

        pthread_mutex_lock(&r->lock);
        if (r->taken) {
                /* libarchive is done with the buffer it had: hand it back. */
                size_t prev = (r->take + r->n_buffers - 1) % r->n_buffers;
                r->buffers[prev].full = false;
                r->taken = false;
                pthread_cond_broadcast(&r->cond);
        }
        Buffer *b = &r->buffers[r->take];
        if (!b->full && !r->eof && r->error == 0 && r->before_wait) {
                pthread_mutex_unlock(&r->lock);
                r->before_wait(r->before_wait_userdata);
                pthread_mutex_lock(&r->lock);
        }
        while (!b->full && !r->eof && r->error == 0)
                pthread_cond_wait(&r->cond, &r->lock);
        if (r->error != 0) {
                archive_set_error(a, -r->error, "%s", r->message);
                pthread_mutex_unlock(&r->lock);
                return -1;
        }
        if (!b->full) {
                pthread_mutex_unlock(&r->lock);
                return 0;       /* end of stream */
        }
        r->take = (r->take + 1) % r->n_buffers;
        r->taken = true;
        r->consumed += b->len;
        uint64_t consumed = r->consumed;
        pthread_mutex_unlock(&r->lock);

        ui_progress(r->ui, consumed, r->chunks ? r->chunks->total_size : 0, "bytes");
        *ret_buf = b->data;
        return (la_ssize_t) b->len;
}

/* With sync requested, writeback starts while extraction goes on, so the
 * final syncfs() finds little left to do instead of the whole image (it took
 * 0.35-0.55 s of a 1.5 s extraction, measured on ext4 and XFS). A flusher
 * thread does two things:
 * - big files are written out as soon as they are complete: their paths are
 *   queued and the thread starts their writeback with sync_file_range, which
 *   does not wait and forces no journal commit. Only big files: starting
 *   writeback file by file for the thousands of small ones splits the writes
 *   into small requests (13000 writes of 72 KiB on average instead of 2200 of
 *   420 KiB for the node image), which costs more than it overlaps;
 * - every FLUSH_STEP bytes of file data, it runs syncfs() itself, which
 *   writes the small files and the metadata out in big batches while the
 *   other threads go on; the final syncfs() then waited 0.02-0.12 s. */
#define FLUSH_MIN_SIZE (1u << 20)
#define FLUSH_STEP (64u << 20)

typedef struct Flusher {
        int dir_fd;
        pthread_mutex_t lock;
        pthread_cond_t cond;
        char **queue;
        size_t n, cap;
        bool stop;
        bool want_syncfs;
        uint64_t unsynced;      /* data bytes written since the last syncfs request (the writer's) */
} Flusher;

static void *flusher_thread(void *userdata) {
        Flusher *f = userdata;
        pthread_mutex_lock(&f->lock);
        for (;;) {
                while (!f->stop && f->n == 0 && !f->want_syncfs)
                        pthread_cond_wait(&f->cond, &f->lock);
                if (!f->stop && f->want_syncfs) {
                        f->want_syncfs = false;
                        pthread_mutex_unlock(&f->lock);
                        /* Errors surface in the final syncfs(). */
                        (void) syncfs(f->dir_fd);
                        pthread_mutex_lock(&f->lock);
                        continue;
                }
                if (f->stop) {
                        /* What is still queued is left to the final syncfs(). */
                        for (size_t i = 0; i < f->n; i++)
                                free(f->queue[i]);
                        f->n = 0;
                        break;
                }
                char **batch = f->queue;
                size_t n = f->n;
                f->queue = NULL;
                f->n = f->cap = 0;
                pthread_mutex_unlock(&f->lock);
                for (size_t i = 0; i < n; i++) {
                        int fd = openat(f->dir_fd, batch[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
                        if (fd >= 0) {
                                /* Errors surface in the final syncfs(). */
                                (void) sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
                                close(fd);
                        }
                        free(batch[i]);
                }
                free(batch);
                pthread_mutex_lock(&f->lock);
        }
        pthread_mutex_unlock(&f->lock);
        return NULL;
}

static void flusher_written(Flusher *f, size_t n) {
        if (!f)
                return;
        f->unsynced += n;
        if (f->unsynced < FLUSH_STEP)
                return;
        f->unsynced = 0;
        pthread_mutex_lock(&f->lock);
        f->want_syncfs = true;
        pthread_cond_signal(&f->cond);
        pthread_mutex_unlock(&f->lock);
}

static void flusher_queue(Flusher *f, const char *path) {
        if (!f)
                return;
        char *p = strdup(path);
        if (!p)
                return;         /* only an optimisation: the final sync covers it */
        pthread_mutex_lock(&f->lock);
        if (f->n == f->cap) {
                size_t cap = MAX(f->cap * 2, (size_t) 256);
                char **q = realloc(f->queue, cap * sizeof(char *));
                if (!q) {
                        pthread_mutex_unlock(&f->lock);
                        free(p);
                        return;
                }
                f->queue = q;
                f->cap = cap;
        }
        f->queue[f->n++] = p;
        pthread_cond_signal(&f->cond);
        pthread_mutex_unlock(&f->lock);
}

static void archive_write_free_p(struct archive **a) {
        if (*a)
                archive_write_free(*a);
}
static void archive_read_free_p(struct archive **a) {
        if (*a)
                archive_read_free(*a);
}

/* libarchive reports its own refusals with ARCHIVE_ERRNO_MISC (-1) or 0;
 * only a positive value is a system errno (ENOSPC, EIO...). */
static int archive_failure(struct archive *a, int fallback) {
        int e = archive_errno(a);
        return e > 0 ? -e : -fallback;
}

/* Decompression and writing overlap too: a decoder thread decompresses,
 * runs libarchive's tar reader (headers, path checks) and queues the entries
 * and their data, in order, into a bounded ring; the calling thread writes
 * them with forja's disk writer (extract-write.c). So the writes' system
 * calls and page cache copies run beside decompression instead of after it.
 * zstd images are decompressed into the ring itself and their file data is
 * queued as pointers into it (decoder_read()); other formats go through
 * libarchive's filters and their data is copied into the ring. */
#define RING_SIZE (16u << 20)   /* decompressed bytes in flight */
#define MAX_PIECE (512u << 10)  /* largest data item */
#define N_ITEMS 16384
/* A waiting writer is woken once this much is queued (or when the decoder
 * itself is about to wait), not for every item. */
#define WAKE_ITEMS 64
#define WAKE_BYTES (1u << 20)

typedef enum ItemKind {
        ITEM_HEADER,            /* entry: disk_writer_begin() */
        ITEM_DATA,              /* len bytes at data, for offset in the file */
        ITEM_FINISH,            /* disk_writer_finish() */
        ITEM_RELEASE,           /* nothing to write: frees ring bytes (own zstd) */
} ItemKind;

typedef struct Item {
        ItemKind kind;
        DiskEntry *entry;               /* ITEM_HEADER: owned by the queue */
        const uint8_t *data;            /* in the ring (or libarchive's buffer when serial) */
        size_t len;
        int64_t offset;
        size_t release;                 /* ring bytes freed once done (len + padding before it) */
        bool borrowed;                  /* data points into a decompressed block of the ring */
        bool heap;                      /* data is a malloc'd copy, freed once written */
} Item;

typedef struct Queue {
        pthread_mutex_t lock;
        pthread_cond_t items_cond;      /* the writer waits for items */
        pthread_cond_t space_cond;      /* the decoder waits for room */
        bool writer_waiting, decoder_waiting;   /* wake only a sleeper */
        Item items[N_ITEMS];
        size_t head, count;             /* items: next to take, how many queued */
        uint8_t *ring;
        size_t ring_pos, ring_used;
        bool done;                      /* the decoder finished, with result/message */
        bool abort;                     /* the writer failed: the decoder stops */
        int result;
        char *message;

        struct archive *in;
        Reader *rd;

        /* Own zstd decompression (see decoder_read()). */
        bool format_known;              /* the first bytes were looked at */
        ZSTD_DCtx *dctx;                /* non-NULL: zstd, decompressed by us into the ring */
        ZSTD_inBuffer zin;              /* the compressed chunk being decompressed */
        uint8_t *zstage;                /* a zstd block that straddles two chunks, gathered */
        bool zin_frame;                 /* inside a frame (an end of input here is a truncation) */
        bool zeof;
        uint8_t zhdr[ZSTD_FRAMEHEADERSIZE_MAX];        /* the frame header being read */
        size_t zhdr_len;
        size_t unreleased;              /* ring bytes taken since the last ITEM_RELEASE */

        /* Serial mode (one CPU): no decoder thread and no ring; the decoder
         * calls the writer for every item itself. */
        bool serial;
        DiskWriter *out;
        Flusher *flusher;
        ExtractStats *st;
        char **ret_error;
        int write_error;
} Queue;

/* Waits for room for one more item and len contiguous ring bytes; false
 * when the writer gave up. Called with the lock held. */
static bool queue_wait_room(Queue *q, size_t len) {
        for (;;) {
                if (q->abort)
                        return false;
                size_t pad = len > 0 && RING_SIZE - q->ring_pos < len ? RING_SIZE - q->ring_pos : 0;
                if (q->count < N_ITEMS && q->ring_used + pad + len <= RING_SIZE)
                        return true;
                if (q->writer_waiting)
                        pthread_cond_signal(&q->items_cond);
                q->decoder_waiting = true;
                pthread_cond_wait(&q->space_cond, &q->lock);
                q->decoder_waiting = false;
        }
}

/* Takes len contiguous ring bytes (after queue_wait_room()); *ret_used is
 * what they cost with the padding skipped at the ring's end. */
static uint8_t *ring_take(Queue *q, size_t len, size_t *ret_used) {
        size_t pad = len > 0 && RING_SIZE - q->ring_pos < len ? RING_SIZE - q->ring_pos : 0;
        if (pad > 0)
                q->ring_pos = 0;
        uint8_t *p = q->ring + q->ring_pos;
        q->ring_pos = (q->ring_pos + len) % RING_SIZE;
        q->ring_used += pad + len;
        *ret_used = pad + len;
        return p;
}

/* Waits for room for one item and len contiguous ring bytes; returns the
 * item to fill, or NULL when the writer gave up. Called with the lock held.
 * With own zstd decompression the bytes are freed by the next ITEM_RELEASE,
 * in ring order with the decompressed blocks. */
static Item *queue_reserve(Queue *q, size_t len) {
        if (!queue_wait_room(q, len))
                return NULL;
        Item *it = &q->items[(q->head + q->count) % N_ITEMS];
        size_t used;
        *it = (Item) { .len = len };
        it->data = ring_take(q, len, &used);
        if (q->dctx)
                q->unreleased += used;
        else
                it->release = used;
        return it;
}

static void queue_publish(Queue *q) {
        q->count++;
        if (q->writer_waiting && (q->count >= WAKE_ITEMS || q->ring_used >= WAKE_BYTES))
                pthread_cond_signal(&q->items_cond);
}

/* The decoder is about to wait for input: let the writer take what is queued. */
static void queue_kick(void *userdata) {
        Queue *q = userdata;
        pthread_mutex_lock(&q->lock);
        if (q->writer_waiting && q->count > 0)
                pthread_cond_signal(&q->items_cond);
        pthread_mutex_unlock(&q->lock);
}

static int write_item(const Item *it, DiskWriter *out, Flusher *flusher, ExtractStats *st, char **ret_error);

static int queue_push_item(Queue *q, ItemKind kind, DiskEntry *entry, const void *data, size_t len, int64_t offset, bool borrowed) {
        if (q->serial) {
                Item it = { .kind = kind, .entry = entry, .data = data, .len = len, .offset = offset };
                int r = write_item(&it, q->out, q->flusher, q->st, q->ret_error);
                if (r < 0) {
                        q->write_error = r;
                        return -ECANCELED;
                }
                return 0;
        }
        pthread_mutex_lock(&q->lock);
        /* With own zstd decompression the ring holds zstd's output alone
         * (its window must stay contiguous): the rare data that libarchive
         * hands over from its own buffer is copied to the heap instead. */
        bool heap = q->dctx && !borrowed && kind == ITEM_DATA && len > 0;
        uint8_t *copy = NULL;
        if (heap) {
                copy = malloc(len);
                if (!copy)
                        return -ENOMEM;
                memcpy(copy, data, len);
        }
        Item *it = queue_reserve(q, borrowed || heap || kind == ITEM_RELEASE ? 0 : len);
        if (!it) {
                pthread_mutex_unlock(&q->lock);
                free(copy);
                return -ECANCELED;
        }
        pthread_mutex_unlock(&q->lock);
        /* The reserved bytes are the decoder's alone until published. */
        it->kind = kind;
        it->entry = entry;
        it->offset = offset;
        it->borrowed = borrowed;
        it->release += kind == ITEM_RELEASE ? len : 0;
        it->heap = heap;
        if (borrowed || heap) {
                it->data = heap ? copy : data;
                it->len = len;
        } else if (kind == ITEM_RELEASE)
                it->len = 0;
        else if (len > 0)
                memcpy((uint8_t *) it->data, data, len);
        pthread_mutex_lock(&q->lock);
        queue_publish(q);
        pthread_mutex_unlock(&q->lock);
        return 0;
}

static int queue_push(Queue *q, ItemKind kind, DiskEntry *entry, const void *data, size_t len, int64_t offset) {
        return queue_push_item(q, kind, entry, data, len, offset, false);
}

/* Hands the ring bytes taken so far back once the writer has passed them. */
static int queue_release(Queue *q) {
        size_t n = q->unreleased;
        if (n == 0)
                return 0;
        q->unreleased = 0;
        return queue_push_item(q, ITEM_RELEASE, NULL, NULL, n, 0, false);
}

/* Own zstd decompression: with libarchive's zstd filter every byte was
 * decompressed into zstd's window buffer, copied into libarchive's buffer and
 * copied again into the ring. Here the decoder thread decompresses zstd
 * blocks straight into the ring with zstd's buffer-less API, which keeps its
 * history (the window) in the output itself: the ring is never overwritten
 * less than ZSTD_WINDOW_MAX bytes of output behind, since a ring position is
 * reused only after the output has gone round it once, less one wrap's
 * padding (< ZBLOCK) and the block being filled (ZBLOCK). libarchive reads the
 * tar from the ring, and file data reaches the writer as pointers into it,
 * with no copy at all. Images that are not zstd, or whose first frame has a
 * larger window, go to libarchive's filters as they are. */
#define ZBLOCK (512u << 10)
#define ZSTD_WINDOW_MAX (RING_SIZE - 2 * ZBLOCK)

/* Points *ret at the next n compressed bytes (at most ZSTD_BLOCKSIZE_MAX):
 * in the current chunk, or gathered across chunks. Returns 0, 1 at the end
 * of the input (no byte taken), or -1 with the archive error set. */
static int zstd_input(struct archive *a, Queue *q, size_t n, const void **ret) {
        size_t have = 0;
        for (;;) {
                const uint8_t *src = (const uint8_t *) q->zin.src + q->zin.pos;
                size_t avail = q->zin.size - q->zin.pos;
                if (have == 0 && avail >= n) {
                        q->zin.pos += n;
                        *ret = src;
                        return 0;
                }
                size_t k = MIN(n - have, avail);
                memcpy(q->zstage + have, src, k);
                q->zin.pos += k;
                have += k;
                if (have == n) {
                        *ret = q->zstage;
                        return 0;
                }
                const void *buf;
                la_ssize_t m = reader_read(a, q->rd, &buf);
                if (m < 0)
                        return -1;
                if (m == 0) {
                        if (have == 0)
                                return 1;
                        archive_set_error(a, EINVAL, "zstd: the image ends inside a frame");
                        return -1;
                }
                q->zin = (ZSTD_inBuffer) { .src = buf, .size = m };
        }
}

/* The window a frame needs, from its header; 0 while the header is incomplete. */
static int zstd_frame_window(const void *hdr, size_t len, uint64_t *ret) {
        ZSTD_frameHeader h;
        size_t k = ZSTD_getFrameHeader(&h, hdr, len);
        if (ZSTD_isError(k))
                return -EINVAL;
        if (k > 0)
                return 0;
        *ret = h.frameType == ZSTD_skippableFrame ? 1 : MAX(h.windowSize, (uint64_t) 1);
        return 0;
}

/* Decompresses zstd blocks into block (ZBLOCK bytes) until less than a
 * block's worth of room is left or the input ends; returns the bytes filled
 * or -1 with the archive error set. */
static la_ssize_t zstd_fill(struct archive *a, Queue *q, uint8_t *block) {
        size_t filled = 0;
        while (!q->zeof && ZBLOCK - filled >= ZSTD_BLOCKSIZE_MAX) {
                size_t n = ZSTD_nextSrcSizeToDecompress(q->dctx);
                if (n == 0) {
                        /* A frame ended: the next one may follow. */
                        ZSTD_decompressBegin(q->dctx);
                        q->zin_frame = false;
                        q->zhdr_len = 0;
                        continue;
                }
                const void *src;
                int k = zstd_input(a, q, n, &src);
                if (k < 0)
                        return -1;
                if (k > 0) {
                        if (q->zin_frame) {
                                archive_set_error(a, EINVAL, "zstd: the image ends inside a frame");
                                return -1;
                        }
                        q->zeof = true;
                        break;
                }
                if (q->zhdr_len + n <= sizeof(q->zhdr) && (!q->zin_frame || q->zhdr_len > 0)) {
                        /* Still in the frame header: check its window first. */
                        memcpy(q->zhdr + q->zhdr_len, src, n);
                        q->zhdr_len += n;
                        uint64_t window = 0;
                        if (zstd_frame_window(q->zhdr, q->zhdr_len, &window) < 0) {
                                archive_set_error(a, EINVAL, "zstd: not a zstd frame header");
                                return -1;
                        }
                        if (window > ZSTD_WINDOW_MAX) {
                                archive_set_error(a, EINVAL, "zstd: a frame needs a %" PRIu64 " MiB window, more than %u MiB",
                                                  window >> 20, ZSTD_WINDOW_MAX >> 20);
                                return -1;
                        }
                        if (window > 0)
                                q->zhdr_len = 0;        /* header complete */
                }
                q->zin_frame = true;
                size_t out = ZSTD_decompressContinue(q->dctx, block + filled, ZBLOCK - filled, src, n);
                if (ZSTD_isError(out)) {
                        archive_set_error(a, EINVAL, "zstd: %s", ZSTD_getErrorName(out));
                        return -1;
                }
                filled += out;
        }
        return (la_ssize_t) filled;
}

/* Takes the first chunk and decides: own zstd decompression, or libarchive's
 * filters (returns the chunk in *ret_buf then). */
static la_ssize_t decoder_start(struct archive *a, Queue *q, const void **ret_buf) {
        const void *buf;
        la_ssize_t n = reader_read(a, q->rd, &buf);
        if (n <= 0)
                return n;
        q->format_known = true;
        uint64_t window = 0;
        bool own = q->ring && (size_t) n >= ZSTD_FRAMEHEADERSIZE_MAX && ZSTD_isFrame(buf, n) &&
                zstd_frame_window(buf, n, &window) >= 0 && window > 0 && window <= ZSTD_WINDOW_MAX;
        if (!own) {
                *ret_buf = buf;
                return n;
        }
        q->dctx = ZSTD_createDCtx();
        q->zstage = malloc(ZSTD_BLOCKSIZE_MAX);
        if (!q->dctx || !q->zstage || ZSTD_isError(ZSTD_decompressBegin(q->dctx))) {
                archive_set_error(a, ENOMEM, "Cannot set up zstd decompression");
                return -1;
        }
        q->zin = (ZSTD_inBuffer) { .src = buf, .size = n };
        return 0;
}

static la_ssize_t decoder_read(struct archive *a, void *userdata, const void **ret_buf) {
        Queue *q = userdata;

        if (!q->format_known) {
                la_ssize_t n = decoder_start(a, q, ret_buf);
                if (n != 0 || !q->dctx)
                        return n;
        }
        if (!q->dctx)
                return reader_read(a, q->rd, ret_buf);

        /* libarchive is done with the previous block (it copies what it still
         * needs before asking for more): free it behind the data queued from it. */
        if (queue_release(q) < 0) {
                archive_set_error(a, ECANCELED, "Extraction stopped");
                return -1;
        }
        pthread_mutex_lock(&q->lock);
        if (!queue_wait_room(q, ZBLOCK)) {
                pthread_mutex_unlock(&q->lock);
                archive_set_error(a, ECANCELED, "Extraction stopped");
                return -1;
        }
        size_t used;
        uint8_t *block = ring_take(q, ZBLOCK, &used);
        pthread_mutex_unlock(&q->lock);

        la_ssize_t filled = zstd_fill(a, q, block);
        if (filled < 0)
                return -1;
        /* Give the unfilled end of the block back (nothing was taken after it). */
        pthread_mutex_lock(&q->lock);
        q->ring_pos = ((size_t) (block - q->ring) + (size_t) filled) % RING_SIZE;
        q->ring_used -= ZBLOCK - (size_t) filled;
        pthread_mutex_unlock(&q->lock);
        q->unreleased += used - (ZBLOCK - (size_t) filled);
        *ret_buf = block;
        return filled;
}

static int decode_entry_data(Queue *q) {
        for (;;) {
                const void *buf;
                size_t size;
                la_int64_t offset;
                int k = archive_read_data_block(q->in, &buf, &size, &offset);
                if (k == ARCHIVE_EOF)
                        return 0;
                if (k < ARCHIVE_OK)
                        return -EIO;
                /* Straight from a decompressed block in the ring: no copy;
                 * the block stays until the writer passes its ITEM_RELEASE. */
                if (q->dctx && (const uint8_t *) buf >= q->ring && (const uint8_t *) buf + size <= q->ring + RING_SIZE) {
                        int r = queue_push_item(q, ITEM_DATA, NULL, buf, size, offset, true);
                        if (r < 0)
                                return r;
                        continue;
                }
                for (size_t done = 0; done < size;) {
                        size_t n = MIN(size - done, (size_t) MAX_PIECE);
                        int r = queue_push(q, ITEM_DATA, NULL, (const uint8_t *) buf + done, n, offset + (int64_t) done);
                        if (r < 0)
                                return r;
                        done += n;
                }
        }
}

/* Returns 0 at the end of the archive, -ECANCELED when the writer stopped,
 * or a failure described in *message. */
static int decode_stream(Queue *q, char **message) {
        for (;;) {
                struct archive_entry *e;
                int k = archive_read_next_header(q->in, &e);
                if (k == ARCHIVE_EOF)
                        return 0;
                if (k < ARCHIVE_WARN)
                        return -EIO;

                /* Absolute paths and ".." components are refused here,
                 * in names and in hard link targets. */
                DiskEntry *d;
                int r = disk_entry_from_archive(e, &d, message);
                if (r < 0)
                        return r;
                if (!d)
                        continue;       /* the top directory: the target itself */
                bool data = d->size > 0 && (!d->hardlink || d->fallback);
                r = queue_push(q, ITEM_HEADER, d, NULL, 0, 0);
                if (r < 0) {
                        if (!q->serial)         /* serially, the writer owns it already */
                                disk_entry_free(d);
                        return r;
                }
                if (data) {
                        r = decode_entry_data(q);
                        if (r < 0)
                                return r;
                }
                r = queue_push(q, ITEM_FINISH, NULL, NULL, 0, 0);
                if (r < 0)
                        return r;
        }
}

static void *decoder_thread(void *userdata) {
        Queue *q = userdata;
        char *message = NULL;
        int r;

        if (q->serial ? archive_read_open(q->in, q->rd, NULL, reader_read, NULL) != ARCHIVE_OK :
                        archive_read_open(q->in, q, NULL, decoder_read, NULL) != ARCHIVE_OK)
                r = -EIO;
        else
                r = decode_stream(q, &message);

        if (r == -EIO) {
                /* libarchive failed reading: the reader thread's error (a bad
                 * chunk, a read error) explains it better than libarchive. */
                Reader *rd = q->rd;
                pthread_mutex_lock(&rd->lock);
                int reader_error = rd->error;
                pthread_mutex_unlock(&rd->lock);
                if (reader_error != 0) {
                        r = reader_error;
                        error_setf(&message, "%s", rd->message);
                } else {
                        r = -EINVAL;
                        error_setf(&message, "Damaged image: %s", strempty(archive_error_string(q->in)));
                }
        }

        pthread_mutex_lock(&q->lock);
        q->done = true;
        q->result = r;
        q->message = message;
        pthread_cond_signal(&q->items_cond);
        pthread_mutex_unlock(&q->lock);
        return NULL;
}

/* Writes one queued item; returns 0 or a failure described in ret_error. */
static int write_item(const Item *it, DiskWriter *out, Flusher *flusher, ExtractStats *st, char **ret_error) {
        if (it->kind == ITEM_HEADER)
                return disk_writer_begin(out, it->entry, ret_error);
        if (it->kind == ITEM_RELEASE)
                return 0;
        if (it->kind == ITEM_DATA) {
                int r = disk_writer_data(out, it->data, it->len, it->offset, ret_error);
                if (r < 0)
                        return r;
                st->data_bytes += it->len;
                flusher_written(flusher, it->len);
                return 0;
        }
        int r = disk_writer_finish(out, ret_error);
        if (r < 0)
                return r;
        const DiskEntry *d = disk_writer_current(out);
        if (S_ISREG(d->mode) && d->size >= FLUSH_MIN_SIZE && !d->hardlink)
                flusher_queue(flusher, d->path);
        st->entries++;
        return 0;
}

/* The writer side: takes the queued items in order and writes them. It
 * wakes a waiting decoder only once half the queue is free again, so the
 * threads do not ping-pong on every item. */
static int write_stream(Queue *q, DiskWriter *out, Flusher *flusher, ExtractStats *st, char **ret_error) {
        int r = 0;

        pthread_mutex_lock(&q->lock);
        for (;;) {
                while (q->count == 0 && !q->done) {
                        q->writer_waiting = true;
                        pthread_cond_wait(&q->items_cond, &q->lock);
                        q->writer_waiting = false;
                }
                if (q->count == 0) {
                        r = q->result;
                        if (r < 0 && r != -ECANCELED)
                                error_setf(ret_error, "%s", strempty(q->message));
                        break;
                }
                const Item *it = &q->items[q->head];
                pthread_mutex_unlock(&q->lock);

                r = write_item(it, out, flusher, st, ret_error);
                if (it->heap)
                        free((void *) it->data);

                pthread_mutex_lock(&q->lock);
                q->head = (q->head + 1) % N_ITEMS;
                q->count--;
                q->ring_used -= it->release;
                if (r < 0)
                        q->abort = true;
                if (q->decoder_waiting && (r < 0 || (q->count <= N_ITEMS / 2 && q->ring_used <= RING_SIZE / 2)))
                        pthread_cond_signal(&q->space_cond);
                if (r < 0)
                        break;
        }
        pthread_mutex_unlock(&q->lock);
        return r;
}

/* With one CPU the threads only add copies and switches: the decoder then
 * writes each item itself. FORJA_EXTRACT_SERIAL=1 forces that (for tests). */
static bool use_serial(void) {
        const char *e = env_hook(ENV_FORJA_EXTRACT_SERIAL);
        if (e && *e)
                return streq(e, "1");
        return sysconf(_SC_NPROCESSORS_ONLN) < 2;
}

static int extract_serial(Queue *q) {
        decoder_thread(q);
        if (q->write_error < 0)
                return q->write_error;  /* described by write_item() */
        if (q->result < 0)
                error_setf(q->ret_error, "%s", strempty(q->message));
        return q->result;
}

/* Runs the decoder thread against the writer in this thread; afterwards
 * frees what is still queued. */
static int extract_stream(struct archive *in, DiskWriter *out, Reader *rd, Flusher *flusher, ExtractStats *st, char **ret_error) {
        _cleanup_free_ Queue *q = calloc(1, sizeof(Queue));
        if (!q)
                return -ENOMEM;
        *q = (Queue) {
                .lock = PTHREAD_MUTEX_INITIALIZER,
                .items_cond = PTHREAD_COND_INITIALIZER,
                .space_cond = PTHREAD_COND_INITIALIZER,
                .in = in,
                .rd = rd,
                .serial = use_serial(),
                .out = out,
                .flusher = flusher,
                .st = st,
                .ret_error = ret_error,
        };
        if (q->serial) {
                int r = extract_serial(q);
                free(q->message);
                return r;
        }
        _cleanup_free_ uint8_t *ring = q->ring = malloc(RING_SIZE);
        if (!ring)
                return -ENOMEM;

        /* Set before the decoder exists; the reader thread never calls it. */
        rd->before_wait = queue_kick;
        rd->before_wait_userdata = q;
        pthread_t decoder;
        int r = -pthread_create(&decoder, NULL, decoder_thread, q);
        if (r < 0)
                return r;
        r = write_stream(q, out, flusher, st, ret_error);
        pthread_join(decoder, NULL);
        rd->before_wait = NULL;

        for (; q->count > 0; q->count--, q->head = (q->head + 1) % N_ITEMS)
                if (q->items[q->head].kind == ITEM_HEADER)
                        disk_entry_free(q->items[q->head].entry);
                else if (q->items[q->head].heap)
                        free((void *) q->items[q->head].data);
        ZSTD_freeDCtx(q->dctx);
        free(q->zstage);
        free(q->message);
        return r;
}

int image_extract_fd(int fd, const char *target, const ExtractOptions *opts, ExtractStats *ret_stats, char **ret_error) {
        static const ExtractOptions defaults = {};
        const ExtractOptions *o = opts ?: &defaults;
        Reader rd = {
                .fd = fd,
                .chunks = o->chunks,
                .ui = o->ui,
                .lock = PTHREAD_MUTEX_INITIALIZER,
                .cond = PTHREAD_COND_INITIALIZER,
        };
        ExtractStats st = {};
        _cleanup_(archive_read_free_p) struct archive *in = NULL;
        _cleanup_(archive_write_free_p) struct archive *out = NULL;
        int r;

        if (o->chunks) {
                const ImageChunks *c = o->chunks;
                if (c->chunk_size == 0 || c->chunk_size > IMAGE_MAX_CHUNK_SIZE || c->n_chunks == 0 ||
                    image_chunk_count(c->total_size, c->chunk_size) != c->n_chunks) {
                        error_setf(ret_error, "Invalid chunk list: chunk size %" PRIu64 ", %zu chunks for %" PRIu64 " bytes (at most %u MiB per chunk).",
                                  c->chunk_size, c->n_chunks, c->total_size, IMAGE_MAX_CHUNK_SIZE >> 20);
                        return -EINVAL;
                }
                rd.buffer_size = c->chunk_size;
        } else
                rd.buffer_size = UNVERIFIED_BUFFER_SIZE;

        _cleanup_close_ int target_fd = open(target, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (target_fd < 0) {
                r = negative_errno();
                error_setf(ret_error, "Cannot open target directory '%s': %s", target, strerror(-r));
                return r;
        }
        _cleanup_close_ int cwd_fd = open(".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (cwd_fd < 0)
                return negative_errno();

        rd.n_buffers = MIN(MAX((size_t) (BUFFER_BYTES / rd.buffer_size), (size_t) MIN_BUFFERS), (size_t) MAX_BUFFERS);
        for (size_t i = 0; i < rd.n_buffers; i++) {
                void *p = NULL;
                if (posix_memalign(&p, DIRECT_ALIGN, rd.buffer_size) != 0)
                        p = NULL;
                rd.buffers[i].data = p;
                if (!rd.buffers[i].data) {
                        r = -ENOMEM;
                        goto free_buffers;
                }
        }

        in = archive_read_new();
        out = archive_write_disk_new();
        if (!in || !out) {
                r = -ENOMEM;
                goto free_buffers;
        }
        archive_read_support_filter_all(in);
        archive_read_support_format_tar(in);
        archive_read_support_format_cpio(in);
        /* Numeric owners from the image (no lookup through the host's passwd):
         * the installer environment's users are not the node's. */
        archive_write_disk_set_options(out,
                                       ARCHIVE_EXTRACT_OWNER | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_TIME |
                                       ARCHIVE_EXTRACT_XATTR | ARCHIVE_EXTRACT_ACL | ARCHIVE_EXTRACT_FFLAGS |
                                       ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT |
                                       ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);

        pthread_t thread;
        reader_try_direct(&rd);
        r = -pthread_create(&thread, NULL, reader_thread, &rd);
        if (r < 0)
                reader_end_direct(&rd);
        if (r < 0)
                goto free_buffers;

        if (fchdir(target_fd) < 0) {
                r = negative_errno();
                error_setf(ret_error, "Cannot enter '%s': %s", target, strerror(-r));
        } else {
                Flusher flusher = {
                        .dir_fd = target_fd,
                        .lock = PTHREAD_MUTEX_INITIALIZER,
                        .cond = PTHREAD_COND_INITIALIZER,
                };
                pthread_t flusher_tid;
                bool flushing = o->sync && pthread_create(&flusher_tid, NULL, flusher_thread, &flusher) == 0;

                DiskWriter *w = NULL;
                r = disk_writer_new(target_fd, out, &w);
                if (r >= 0)
                        r = extract_stream(in, w, &rd, flushing ? &flusher : NULL, &st, ret_error);

                if (flushing) {
                        pthread_mutex_lock(&flusher.lock);
                        flusher.stop = true;
                        pthread_cond_signal(&flusher.cond);
                        pthread_mutex_unlock(&flusher.lock);
                        pthread_join(flusher_tid, NULL);
                        free(flusher.queue);
                }
                /* Directory modes (the sticky /tmp, 0700 /root) and times,
                 * even after a failure. */
                if (w) {
                        int k = disk_writer_close(w, r >= 0 ? ret_error : NULL);
                        if (k < 0 && r >= 0)
                                r = k;
                        disk_writer_free(w);
                }
                /* libarchive's writer (for the few entries it writes) applies
                 * its directories' fixups at close by their relative paths:
                 * close while still inside the target, or they would land on
                 * the caller's working directory. */
                if (archive_write_close(out) != ARCHIVE_OK && r >= 0) {
                        error_setf(ret_error, "Failed to finish extraction: %s", strempty(archive_error_string(out)));
                        r = archive_failure(out, EIO);
                }
                if (fchdir(cwd_fd) < 0 && r >= 0)
                        r = negative_errno();
        }

        pthread_mutex_lock(&rd.lock);
        rd.stop = true;
        pthread_cond_broadcast(&rd.cond);
        pthread_mutex_unlock(&rd.lock);
        pthread_join(thread, NULL);
        reader_end_direct(&rd);
        st.compressed_bytes = rd.consumed;

        if (r >= 0 && o->chunks && st.compressed_bytes != o->chunks->total_size) {
                error_setf(ret_error, "Image ended after %" PRIu64 " of %" PRIu64 " bytes.", st.compressed_bytes, o->chunks->total_size);
                r = -EBADMSG;
        }
        if (r >= 0 && o->sync && syncfs(target_fd) < 0) {
                r = negative_errno();
                error_setf(ret_error, "Failed to sync '%s': %s", target, strerror(-r));
        }
        if (r >= 0 && ret_stats)
                *ret_stats = st;

free_buffers:
        for (size_t i = 0; i < MAX_BUFFERS; i++)
                free(rd.buffers[i].data);
        return r;
}

int sha256_from_hex(const char *hex, uint8_t ret[32]) {
        size_t n = 0;
        for (const char *p = hex; *p; p++) {
                if (*p == ':')
                        continue;
                int v;
                if (*p >= '0' && *p <= '9')
                        v = *p - '0';
                else if (*p >= 'a' && *p <= 'f')
                        v = *p - 'a' + 10;
                else if (*p >= 'A' && *p <= 'F')
                        v = *p - 'A' + 10;
                else
                        return -EINVAL;
                if (n >= 64)
                        return -EINVAL;
                if (n % 2 == 0)
                        ret[n / 2] = (uint8_t) (v << 4);
                else
                        ret[n / 2] |= (uint8_t) v;
                n++;
        }
        return n == 64 ? 0 : -EINVAL;
}

void sha256_to_hex(const uint8_t d[32], char ret[65]) {
        static const char digits[] = "0123456789abcdef";
        for (size_t i = 0; i < 32; i++) {
                ret[2 * i] = digits[d[i] >> 4];
                ret[2 * i + 1] = digits[d[i] & 15];
        }
        ret[64] = 0;
}
