"""Where durable writing spends its time on this machine (docs/simulator.md, "Background sync").

Part 1: write N MB into the page cache, optionally ask the kernel to start writeback
(sync_file_range(SYNC_FILE_RANGE_WRITE) through ctypes), optionally idle, then time the fsync: if the
fsync stays long after writeback was started and the disk had time, the flush itself is what costs.
Part 2: a writer that busy-waits `fmt` ms per chunk (a stand-in for formatting rows) and either
fsyncs once at the end or asks a background thread for an fdatasync after every chunk (what
`BackgroundSync` does for `CSVWriter`). Run it with the other core idle and with a CPU hog beside it.

Run: python3 docs/bench/disk_flush_probe.py [folder]   (default: the system's temporary folder)
"""
import ctypes
import os
import sys
import tempfile
import threading
import time

FOLDER = sys.argv[1] if len(sys.argv) > 1 else tempfile.gettempdir()
PATH = os.path.join(FOLDER, "disk-flush-probe.bin")
BLOCK = b"," * (1 << 20)
libc = ctypes.CDLL("libc.so.6", use_errno=True)


def flush_after_writeback(n_mb, start_writeback, idle):
    fd = os.open(PATH, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    t0 = time.perf_counter()
    for _ in range(n_mb):
        os.write(fd, BLOCK)
    t1 = time.perf_counter()
    if start_writeback:
        libc.sync_file_range(fd, ctypes.c_int64(0), ctypes.c_int64(0), 2)  # SYNC_FILE_RANGE_WRITE
    time.sleep(idle)
    t2 = time.perf_counter()
    os.fsync(fd)
    t3 = time.perf_counter()
    os.close(fd)
    os.unlink(PATH)
    print(f"{n_mb} MB, writeback started={start_writeback}, idle {idle} s: write {1e3 * (t1 - t0):.1f} ms, fsync {1e3 * (t3 - t2):.1f} ms")


def writer(chunk_mb, fmt_ms, total_mb, background):
    fd = os.open(PATH, os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    lock = threading.Lock()  # one fdatasync at a time, like BackgroundSync's serial queue
    threads = []
    t0 = time.perf_counter()
    for _ in range(total_mb // chunk_mb):
        end = time.perf_counter() + fmt_ms / 1e3
        while time.perf_counter() < end:
            pass
        for _ in range(chunk_mb):
            os.write(fd, BLOCK)
        if background:
            def sync():
                with lock:
                    os.fdatasync(fd)
            th = threading.Thread(target=sync)
            th.start()
            threads.append(th)
    for th in threads:
        th.join()
    os.fsync(fd)
    t1 = time.perf_counter()
    os.close(fd)
    os.unlink(PATH)
    print(f"{total_mb} MB in {chunk_mb} MB chunks, {fmt_ms} ms of work per chunk, background fdatasync={background}: {1e3 * (t1 - t0):.1f} ms")


for args in [(49, False, 0), (49, True, 0), (49, True, 0.2), (1, False, 0), (49, False, 0.5)]:
    flush_after_writeback(*args)
for args in [(8, 15, 48, False), (8, 15, 48, True), (4, 7.5, 48, True), (8, 0, 48, False), (8, 0, 48, True)]:
    writer(*args)
