//! Where MPEG-TS segments are remuxed for MediaSource. The engine takes one
//! remuxer per SourceBuffer from a [`TsRemuxers`] its host gives it. Natively
//! that is the remuxer of `crate::remux`, in-process, from the start. In the
//! browser it is a WebAssembly module of its own (`remux-wasm/`, through
//! `web/ts_remux.rs`), which only streams with TS segments load: the engine asks
//! for it ([`Output::LoadTsRemuxer`]) as soon as a playlist it will play has
//! TS segments, and sets up no SourceBuffer until [`Engine::ts_remuxers_loaded`]
//! brings it (the first segment loads meanwhile).

use super::*;
use crate::remux::{Probe, Remuxed};

/// One remuxer, for one SourceBuffer's segments in order (see `crate::remux::Remuxer`).
pub trait TsRemux: std::fmt::Debug {
    fn remux(&mut self, ts: &[u8], info: SegmentInfo) -> Result<Remuxed, RemuxError>;
}

/// What makes remuxers, and reads a segment's codecs (`crate::remux::probe`).
pub trait TsRemuxers {
    fn probe(&self, ts: &[u8]) -> Result<Probe, RemuxError>;
    fn remuxer(&self) -> Box<dyn TsRemux>;
}

/// The remuxer of this crate, called in-process (native tools, tests).
#[cfg(any(test, not(target_arch = "wasm32")))]
pub struct InProcess;

#[cfg(any(test, not(target_arch = "wasm32")))]
impl TsRemux for crate::remux::Remuxer {
    fn remux(&mut self, ts: &[u8], info: SegmentInfo) -> Result<Remuxed, RemuxError> {
        crate::remux::Remuxer::remux(self, ts, info)
    }
}

#[cfg(any(test, not(target_arch = "wasm32")))]
impl TsRemuxers for InProcess {
    fn probe(&self, ts: &[u8]) -> Result<Probe, RemuxError> {
        crate::remux::probe(ts)
    }
    fn remuxer(&self) -> Box<dyn TsRemux> {
        Box::new(crate::remux::Remuxer::new())
    }
}

/// The remuxers an engine starts with: in-process natively; none in the browser
/// (the module is loaded when a stream needs it).
pub(super) fn initial() -> TsRemuxersState {
    #[cfg(not(target_arch = "wasm32"))]
    return TsRemuxersState::Ready(Box::new(InProcess));
    #[cfg(target_arch = "wasm32")]
    return TsRemuxersState::Absent;
}

pub(super) enum TsRemuxersState {
    /// Not loaded, not asked for yet (natively only in tests: the remuxer is built in).
    #[cfg_attr(not(any(test, target_arch = "wasm32")), allow(dead_code))]
    Absent,
    /// [`Output::LoadTsRemuxer`] was sent.
    Loading,
    Ready(Box<dyn TsRemuxers>),
}

impl Engine {
    /// The host's answer to [`Output::LoadTsRemuxer`]: the remuxers, or why they
    /// could not be loaded (a fatal error: TS segments cannot be played without).
    pub fn ts_remuxers_loaded(&mut self, now_ms: u64, loaded: Result<Box<dyn TsRemuxers>, String>) {
        match loaded {
            Ok(remuxers) => {
                self.ts_remuxers = TsRemuxersState::Ready(remuxers);
                if self.phase == Phase::Preparing {
                    self.advance(now_ms);
                } else {
                    self.schedule(now_ms);
                }
            }
            Err(reason) => {
                if self.phase != Phase::Failed {
                    self.fail(ErrorKind::Network, format!("the MPEG-TS remuxer module could not be loaded: {reason}"));
                }
            }
        }
    }

    /// The remuxers when loaded; otherwise asks the host for them (once) and
    /// says to wait.
    pub(super) fn ts_remuxers(&mut self) -> Option<&dyn TsRemuxers> {
        if let TsRemuxersState::Absent = self.ts_remuxers {
            self.ts_remuxers = TsRemuxersState::Loading;
            self.outputs.push_back(Output::LoadTsRemuxer);
        }
        match &self.ts_remuxers {
            TsRemuxersState::Ready(r) => Some(r.as_ref()),
            _ => None,
        }
    }

    /// Tests: an engine as the browser's starts, without the remuxer module.
    #[cfg(test)]
    pub(super) fn without_ts_remuxers(&mut self) {
        self.ts_remuxers = TsRemuxersState::Absent;
    }
}
