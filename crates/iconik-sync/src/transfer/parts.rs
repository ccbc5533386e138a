//! Parts in parallel with bounded memory.
//!
//! The calling thread reads the file once, in order, into one of
//! `parallelism` pooled part buffers and hands each part both to a hasher
//! thread (which computes the whole file's MD5, in order, while the next
//! part is read and sent) and to a worker, which sends it (the transport
//! retries the part on its own). A buffer goes back to the pool when both
//! are done with it, so at most `parallelism` buffers of `part_size` bytes
//! exist at any time.

use std::collections::BTreeMap;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{channel, sync_channel, Sender};
use std::sync::{Arc, Mutex, PoisonError};

use md5::{Digest, Md5};

use crate::error::{Error, Result};

use super::http::Ctx;
use super::state::PartRecord;
use super::stream::{hex, Source};

/// A part buffer that returns to its pool when the last holder (the
/// hasher, the worker, the request) drops it.
pub(crate) struct Pooled {
    data: Vec<u8>,
    pool: Sender<Vec<u8>>,
}

impl AsRef<[u8]> for Pooled {
    fn as_ref(&self) -> &[u8] {
        &self.data
    }
}

impl Drop for Pooled {
    fn drop(&mut self) {
        let _ = self.pool.send(std::mem::take(&mut self.data));
    }
}

/// One part handed to a worker.
pub(crate) struct PartJob {
    /// 1-based part number.
    pub(crate) number: u32,
    /// Its bytes: `data[..len]`.
    pub(crate) data: Arc<Pooled>,
    pub(crate) len: usize,
}

impl PartJob {
    /// The part's bytes.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data.data[..self.len]
    }
}

/// What a run of parts produced.
pub(crate) struct PartsOutcome {
    /// The whole file's MD5, when every part was read.
    pub(crate) md5: Option<String>,
    /// Parts stored by this run.
    pub(crate) stored: Vec<(u32, PartRecord)>,
    /// The first failure, if any (the run stops sending after it).
    pub(crate) error: Option<Error>,
}

/// The number of parts of `part_size` in `size` bytes (at least 1).
pub(crate) fn count(size: u64, part_size: u64) -> u32 {
    u32::try_from(size.div_ceil(part_size).max(1)).unwrap_or(u32::MAX)
}

/// The length of part `number` (1-based).
pub(crate) fn part_len(size: u64, part_size: u64, number: u32) -> u64 {
    let start = u64::from(number - 1) * part_size;
    part_size.min(size.saturating_sub(start))
}

/// Sends parts `1..=count` of the file with `send`, skipping those in
/// `done` (whose bytes are still read, for the MD5). `send` returns the
/// part's tag (S3's ETag, B2's SHA-1, Azure's block id).
pub(crate) fn run(
    ctx: &Ctx<'_>,
    count: u32,
    done: &BTreeMap<u32, PartRecord>,
    send: &(dyn Fn(&PartJob) -> Result<String> + Sync),
) -> PartsOutcome {
    let mut outcome = PartsOutcome {
        md5: None,
        stored: Vec::new(),
        error: None,
    };
    let mut source = match Source::open(&ctx.upload.path, ctx.size) {
        Ok(s) => s,
        Err(e) => {
            outcome.error = Some(e);
            return outcome;
        }
    };
    let part_size = ctx.part_size;
    let to_send = (1..=count)
        .filter(|n| !is_done(done, *n, part_len(ctx.size, part_size, *n)))
        .count();
    let workers = ctx.upload.parallelism.clamp(1, to_send.max(1));
    let failed = AtomicBool::new(false);
    let first_error: Mutex<Option<Error>> = Mutex::new(None);
    let stored: Mutex<Vec<(u32, PartRecord)>> = Mutex::new(Vec::new());
    let fail = |e: Error| {
        failed.store(true, Ordering::SeqCst);
        first_error
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get_or_insert(e);
    };

    // rendezvous: a part is read only when a buffer is free
    let (job_tx, job_rx) = sync_channel::<PartJob>(0);
    let job_rx = Mutex::new(job_rx);
    let (free_tx, free_rx) = channel::<Vec<u8>>();
    let (hash_tx, hash_rx) = channel::<Arc<Pooled>>();
    let mut read_all = false;
    let hashed = std::thread::scope(|scope| {
        let hasher = scope.spawn(move || {
            let mut md5 = Md5::new();
            let mut bytes = 0u64;
            for part in hash_rx {
                md5.update(&part.data);
                bytes += part.data.len() as u64;
            }
            (hex(&md5.finalize()), bytes)
        });
        for _ in 0..workers {
            let _ = free_tx.send(Vec::new());
            let (job_rx, stored, fail, failed) = (&job_rx, &stored, &fail, &failed);
            scope.spawn(move || loop {
                let job = job_rx.lock().unwrap_or_else(PoisonError::into_inner).recv();
                let Ok(job) = job else { break };
                if failed.load(Ordering::SeqCst) {
                    continue;
                }
                let sent = catch_unwind(AssertUnwindSafe(|| {
                    let tag = send(&job)?;
                    ctx.reporter.add(job.len as u64);
                    Ok(tag)
                }));
                match sent {
                    Ok(Ok(tag)) => {
                        let record = PartRecord {
                            size: job.len as u64,
                            tag,
                        };
                        stored
                            .lock()
                            .unwrap_or_else(PoisonError::into_inner)
                            .push((job.number, record));
                    }
                    Ok(Err(e)) => fail(e),
                    Err(_) => fail(Error::WorkerFailed(format!(
                        "sending part {} panicked",
                        job.number
                    ))),
                }
                // dropping the job gives the buffer back once hashed
            });
        }

        let mut offset = 0u64;
        for number in 1..=count {
            if failed.load(Ordering::SeqCst) {
                break;
            }
            if crate::cancel::is_cancelled() {
                fail(Error::Cancelled);
                break;
            }
            let len = part_len(ctx.size, part_size, number);
            let Ok(mut buffer) = free_rx.recv() else {
                break;
            };
            buffer.resize(len as usize, 0);
            if let Err(e) = source.read_at(offset, &mut buffer) {
                fail(e);
                break;
            }
            offset += len;
            let part = Arc::new(Pooled {
                data: buffer,
                pool: free_tx.clone(),
            });
            let _ = hash_tx.send(Arc::clone(&part));
            if is_done(done, number, len) {
                ctx.reporter.already_done(len);
                continue;
            }
            let job = PartJob {
                number,
                data: part,
                len: len as usize,
            };
            if job_tx.send(job).is_err() {
                break;
            }
        }
        read_all = offset == ctx.size;
        drop(job_tx);
        drop(hash_tx);
        hasher.join()
    });

    outcome.stored = stored.into_inner().unwrap_or_else(PoisonError::into_inner);
    outcome.error = first_error
        .into_inner()
        .unwrap_or_else(PoisonError::into_inner);
    if outcome.error.is_none() && read_all {
        // a file that grew after its last part was read fails here, before
        // the storage assembles the parts
        if let Err(e) = source.check_size() {
            outcome.error = Some(e);
            return outcome;
        }
        match hashed {
            Ok((md5, bytes)) if bytes == ctx.size => outcome.md5 = Some(md5),
            _ => outcome.error = Some(Error::WorkerFailed("hashing the file failed".into())),
        }
    }
    outcome
}

fn is_done(done: &BTreeMap<u32, PartRecord>, number: u32, len: u64) -> bool {
    done.get(&number).is_some_and(|r| r.size == len)
}

/// The part size to use for `size` bytes: `requested` clamped to
/// `[min, max]`, grown (to whole MiB) until at most `max_parts` parts.
pub(crate) fn fit_part_size(size: u64, requested: u64, min: u64, max: u64, max_parts: u64) -> u64 {
    const MIB: u64 = 1024 * 1024;
    let mut part = requested.clamp(min, max);
    if size.div_ceil(part) > max_parts {
        part = size.div_ceil(max_parts).div_ceil(MIB) * MIB;
    }
    part.min(max)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn part_arithmetic() {
        assert_eq!(count(0, 10), 1);
        assert_eq!(count(10, 10), 1);
        assert_eq!(count(11, 10), 2);
        assert_eq!(part_len(25, 10, 1), 10);
        assert_eq!(part_len(25, 10, 3), 5);
        assert_eq!(part_len(0, 10, 1), 0);
    }

    #[test]
    fn part_size_fits_the_storage_limits() {
        const MIB: u64 = 1024 * 1024;
        // too small: raised to the minimum
        assert_eq!(
            fit_part_size(100 * MIB, MIB, 5 * MIB, 5 << 30, 10_000),
            5 * MIB
        );
        // 1 TiB in 16 MiB parts would be 65,536 parts: grown to fit 10,000
        let tib = 1u64 << 40;
        let p = fit_part_size(tib, 16 * MIB, 5 * MIB, 5 << 30, 10_000);
        assert!(tib.div_ceil(p) <= 10_000, "{p}");
        assert_eq!(p % MIB, 0);
    }

    #[test]
    fn a_pooled_buffer_returns_when_its_last_holder_drops_it() {
        let (tx, rx) = channel();
        let part = Arc::new(Pooled {
            data: vec![7u8; 10],
            pool: tx,
        });
        let held = Arc::clone(&part);
        drop(part);
        assert!(rx.try_recv().is_err(), "still held");
        drop(held);
        assert_eq!(rx.try_recv().unwrap(), vec![7u8; 10]);
    }
}
