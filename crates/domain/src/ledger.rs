//! The tamper-evident ledger: every change to a case is an event whose hash
//! covers the previous event's hash, so editing, reordering or deleting any
//! event breaks the chain from that point on.

use crate::ids::{CaseId, ClockId, StaffId};
use sha2::{Digest, Sha256};
use std::fmt;

/// A SHA-256 digest, shown as lower-case hex.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash(pub [u8; 32]);

impl Hash {
    /// The `prev_hash` of the very first event.
    pub const GENESIS: Hash = Hash([0; 32]);

    pub fn to_hex(&self) -> String {
        const HEX: &[u8; 16] = b"0123456789abcdef";
        let mut s = String::with_capacity(64);
        for b in self.0 {
            s.push(HEX[(b >> 4) as usize] as char);
            s.push(HEX[(b & 15) as usize] as char);
        }
        s
    }

    pub fn from_hex(s: &str) -> Option<Hash> {
        if s.len() != 64 {
            return None;
        }
        let mut out = [0u8; 32];
        for (i, chunk) in s.as_bytes().chunks(2).enumerate() {
            let hi = (chunk[0] as char).to_digit(16)?;
            let lo = (chunk[1] as char).to_digit(16)?;
            out[i] = (hi * 16 + lo) as u8;
        }
        Some(Hash(out))
    }
}

impl fmt::Debug for Hash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Hash({})", &self.to_hex()[..12])
    }
}

/// The fields of an event that its hash covers. `payload` is the exact JSON
/// text as stored; it is hashed byte for byte, never re-serialised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EventBody<'a> {
    pub seq: i64,
    pub case_id: Option<CaseId>,
    pub actor_id: Option<StaffId>,
    pub kind: &'a str,
    pub payload: &'a str,
    /// Microseconds since the Unix epoch.
    pub at_us: i64,
}

impl EventBody<'_> {
    /// hash = SHA-256(prev ‖ seq ‖ case ‖ actor ‖ at ‖ len(kind) ‖ kind ‖ len(payload) ‖ payload)
    /// with integers big-endian and absent ids as -1.
    pub fn hash(&self, prev: &Hash) -> Hash {
        let mut h = Sha256::new();
        h.update(b"pledge-ledger-v1");
        h.update(prev.0);
        h.update(self.seq.to_be_bytes());
        h.update(self.case_id.map_or(-1, CaseId::get).to_be_bytes());
        h.update(self.actor_id.map_or(-1, StaffId::get).to_be_bytes());
        h.update(self.at_us.to_be_bytes());
        h.update((self.kind.len() as u64).to_be_bytes());
        h.update(self.kind.as_bytes());
        h.update((self.payload.len() as u64).to_be_bytes());
        h.update(self.payload.as_bytes());
        Hash(h.finalize().into())
    }
}

/// An event as read back from storage, for verification.
#[derive(Debug, Clone)]
pub struct StoredEvent {
    pub seq: i64,
    pub case_id: Option<CaseId>,
    pub actor_id: Option<StaffId>,
    pub kind: String,
    pub payload: String,
    pub at_us: i64,
    pub prev_hash: String,
    pub hash: String,
}

impl StoredEvent {
    pub fn body(&self) -> EventBody<'_> {
        EventBody {
            seq: self.seq,
            case_id: self.case_id,
            actor_id: self.actor_id,
            kind: &self.kind,
            payload: &self.payload,
            at_us: self.at_us,
        }
    }
}

/// Something `audit verify` found wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Finding {
    /// Sequence numbers jump: events were deleted (or rows reordered by renumbering).
    Gap { expected_seq: i64, found_seq: i64 },
    /// The event's stored `prev_hash` is not the hash of the event before it.
    BrokenLink { seq: i64 },
    /// The event's contents do not match its stored hash: it was edited.
    Edited { seq: i64 },
    /// The chain ends before the recorded head: trailing events were deleted.
    Truncated { head_seq: i64, last_seq: i64 },
    /// The chain's last hash differs from the recorded head.
    HeadMismatch { seq: i64 },
    /// Events name a case that is no longer in the case table.
    CaseMissing { case_id: CaseId },
    /// A case row disagrees with what its events say.
    CaseAltered { case_id: CaseId, field: &'static str },
    /// A case row has no events at all.
    CaseWithoutEvents { case_id: CaseId },
    /// A commitment clock still runs on a subject that has ended (a closed
    /// case, a restored or cancelled outage): every clock must end.
    StrayClock { clock_id: ClockId, rule_id: String, subject: String, subject_id: i64, subject_state: String },
}

impl fmt::Display for Finding {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Finding::Gap { expected_seq, found_seq } => {
                write!(f, "events {expected_seq}..{} are missing (deleted)", found_seq - 1)
            }
            Finding::BrokenLink { seq } => {
                write!(f, "event {seq} does not follow the event before it (reordered or replaced)")
            }
            Finding::Edited { seq } => write!(f, "event {seq} was edited after it was written"),
            Finding::Truncated { head_seq, last_seq } => {
                write!(f, "events {}..{head_seq} were deleted from the end of the ledger", last_seq + 1)
            }
            Finding::HeadMismatch { seq } => write!(f, "the ledger head does not match event {seq}"),
            Finding::CaseMissing { case_id } => write!(f, "case {case_id} was deleted from the case table"),
            Finding::CaseAltered { case_id, field } => {
                write!(f, "case {case_id} was altered in place: its {field} differs from its ledger")
            }
            Finding::CaseWithoutEvents { case_id } => write!(f, "case {case_id} has no ledger events"),
            Finding::StrayClock { clock_id, rule_id, subject, subject_id, subject_state } => write!(
                f,
                "clock {clock_id} ({rule_id}) still runs on {subject} {subject_id}, which is {subject_state} \
                 (`pledge migrate` ends it)"
            ),
        }
    }
}

/// Walks events in sequence order, checking links, hashes and gaps. Feed events
/// in ascending `seq`; call [`ChainVerifier::finish`] with the recorded head.
#[derive(Debug)]
pub struct ChainVerifier {
    prev: Hash,
    next_seq: i64,
    pub findings: Vec<Finding>,
    pub checked: u64,
}

impl Default for ChainVerifier {
    fn default() -> Self {
        Self { prev: Hash::GENESIS, next_seq: 1, findings: Vec::new(), checked: 0 }
    }
}

impl ChainVerifier {
    pub fn push(&mut self, e: &StoredEvent) {
        self.checked += 1;
        if e.seq != self.next_seq {
            self.findings.push(Finding::Gap { expected_seq: self.next_seq, found_seq: e.seq });
        }
        let stored_prev = Hash::from_hex(&e.prev_hash);
        if stored_prev != Some(self.prev) {
            self.findings.push(Finding::BrokenLink { seq: e.seq });
        }
        // Recompute from the stored prev so one edit is reported once, not on every later event.
        let base = stored_prev.unwrap_or(self.prev);
        let computed = e.body().hash(&base);
        if Hash::from_hex(&e.hash) != Some(computed) {
            self.findings.push(Finding::Edited { seq: e.seq });
        }
        self.prev = Hash::from_hex(&e.hash).unwrap_or(computed);
        self.next_seq = e.seq + 1;
    }

    /// `head` is the (seq, hash) the store recorded as the chain's end.
    pub fn finish(mut self, head: Option<(i64, String)>) -> Vec<Finding> {
        if let Some((head_seq, head_hash)) = head {
            let last_seq = self.next_seq - 1;
            if head_seq > last_seq {
                self.findings.push(Finding::Truncated { head_seq, last_seq });
            } else if head_seq == last_seq && Hash::from_hex(&head_hash) != Some(self.prev) {
                self.findings.push(Finding::HeadMismatch { seq: head_seq });
            }
        }
        self.findings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chain(n: i64) -> Vec<StoredEvent> {
        let mut prev = Hash::GENESIS;
        (1..=n)
            .map(|seq| {
                let payload = format!("{{\"n\":{seq}}}");
                let body = EventBody {
                    seq,
                    case_id: Some(CaseId(seq % 3)),
                    actor_id: None,
                    kind: "case.noted",
                    payload: &payload,
                    at_us: seq * 1000,
                };
                let hash = body.hash(&prev);
                let e = StoredEvent {
                    seq,
                    case_id: body.case_id,
                    actor_id: None,
                    kind: "case.noted".into(),
                    payload: payload.clone(),
                    at_us: seq * 1000,
                    prev_hash: prev.to_hex(),
                    hash: hash.to_hex(),
                };
                prev = hash;
                e
            })
            .collect()
    }

    fn verify(events: &[StoredEvent], head: Option<(i64, String)>) -> Vec<Finding> {
        let mut v = ChainVerifier::default();
        events.iter().for_each(|e| v.push(e));
        v.finish(head)
    }

    fn head(events: &[StoredEvent]) -> Option<(i64, String)> {
        events.last().map(|e| (e.seq, e.hash.clone()))
    }

    #[test]
    fn an_intact_chain_verifies() {
        let c = chain(10);
        assert_eq!(verify(&c, head(&c)), vec![]);
    }

    #[test]
    fn hex_round_trips() {
        let h = chain(1)[0].hash.clone();
        assert_eq!(Hash::from_hex(&h).unwrap().to_hex(), h);
        assert_eq!(Hash::from_hex("zz"), None);
    }

    #[test]
    fn an_edited_payload_is_found() {
        let mut c = chain(5);
        let h = head(&c);
        c[2].payload = "{\"n\":99}".into();
        assert_eq!(verify(&c, h), vec![Finding::Edited { seq: 3 }]);
    }

    #[test]
    fn a_deleted_event_is_found() {
        let mut c = chain(5);
        let h = head(&c);
        c.remove(2);
        let f = verify(&c, h);
        assert!(f.contains(&Finding::Gap { expected_seq: 3, found_seq: 4 }), "{f:?}");
        assert!(f.contains(&Finding::BrokenLink { seq: 4 }), "{f:?}");
    }

    #[test]
    fn reordered_events_are_found() {
        let mut c = chain(5);
        let h = head(&c);
        // Swap the contents of rows 2 and 3 but keep the sequence numbers in place.
        let (a, b) = (c[1].clone(), c[2].clone());
        c[1] = StoredEvent { seq: 2, ..b };
        c[2] = StoredEvent { seq: 3, ..a };
        let f = verify(&c, h);
        assert!(f.iter().any(|x| matches!(x, Finding::Edited { .. } | Finding::BrokenLink { .. })), "{f:?}");
    }

    #[test]
    fn a_truncated_tail_is_found() {
        let c = chain(5);
        let h = head(&c);
        assert_eq!(verify(&c[..3], h), vec![Finding::Truncated { head_seq: 5, last_seq: 3 }]);
    }

    #[test]
    fn findings_read_as_sentences() {
        assert_eq!(Finding::CaseMissing { case_id: CaseId(7) }.to_string(), "case 7 was deleted from the case table");
        assert_eq!(Finding::Gap { expected_seq: 3, found_seq: 5 }.to_string(), "events 3..4 are missing (deleted)");
    }
}
