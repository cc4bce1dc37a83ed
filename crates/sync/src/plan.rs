//! The pure sync planner: local intake states + remote pickup list → sorted operations.

use std::collections::{BTreeMap, BTreeSet};

use domain::Eingangszustand;
use serde::{Deserialize, Serialize};

/// A submission as the service lists it for pickup.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Remote {
    /// FIT-Connect submission id.
    pub submission_id: String,
    /// FIT-Connect case id (the same for follow-up submissions of one application).
    pub case_id: String,
}

/// What this profile has persisted about one submission.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Local {
    /// Intake state as last persisted.
    pub state: Eingangszustand,
    /// FIT-Connect case id.
    pub case_id: String,
}

/// Everything the planner looks at.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Snapshot {
    /// Persisted intake state per submission id.
    pub local: BTreeMap<String, Local>,
    /// FIT-Connect case ids that already have a Vorgang here.
    pub known_cases: BTreeSet<String>,
    /// The service's pickup list (may contain duplicates when pages overlap).
    pub remote: Vec<Remote>,
}

/// One step of a sync pass. Ops are applied in the order [`plan`] returns them.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "kebab-case")]
pub enum Op {
    /// A rejection was decided but not confirmed: send it again (the decision stands).
    SendReject {
        /// Submission id.
        submission_id: String,
    },
    /// Stored durably but the accept was not confirmed: send it (again).
    SendAccept {
        /// Submission id.
        submission_id: String,
    },
    /// Stored durably, accept not yet queued: queue it (stored → accept-pending).
    QueueAccept {
        /// Submission id.
        submission_id: String,
    },
    /// Our pending event has taken effect (the submission left the pickup list): read the
    /// case's event log to confirm and move to accepted or rejected.
    Confirm {
        /// Submission id.
        submission_id: String,
        /// The state being confirmed (accept-pending or reject-pending).
        pending: Eingangszustand,
    },
    /// Download, decrypt, verify and store (or decide to reject) a submission.
    Fetch {
        /// Submission id.
        submission_id: String,
        /// FIT-Connect case id.
        case_id: String,
        /// The case already has a Vorgang: attach the documents to it and mark them new.
        follow_up: bool,
    },
    /// Seen before but never stored, and the service no longer lists it: someone else
    /// accepted or rejected it, or it expired. Reported to the audit, never silently dropped.
    Vanished {
        /// Submission id.
        submission_id: String,
    },
}

impl Op {
    /// The submission this op is about.
    pub fn submission_id(&self) -> &str {
        match self {
            Op::SendReject { submission_id }
            | Op::SendAccept { submission_id }
            | Op::QueueAccept { submission_id }
            | Op::Confirm { submission_id, .. }
            | Op::Fetch { submission_id, .. }
            | Op::Vanished { submission_id } => submission_id,
        }
    }
}

/// Computes the operations of one sync pass. Pure and deterministic: the same snapshot (in any
/// order of the remote list) gives the same plan.
///
/// Order: first effects already decided (rejections, then accepts, then queueing), so a
/// backlog of acknowledgements drains before new work; then confirmations; then fetches of new
/// submissions; then vanished reports. Within a kind, by submission id.
pub fn plan(snapshot: &Snapshot) -> Vec<Op> {
    use Eingangszustand::*;
    // Pages of the listing may overlap; a conflicting duplicate resolves to its smallest entry,
    // so the plan never depends on the order in which the service listed things.
    let mut listed: BTreeMap<&str, &Remote> = BTreeMap::new();
    for r in &snapshot.remote {
        listed
            .entry(r.submission_id.as_str())
            .and_modify(|seen| *seen = (*seen).min(r))
            .or_insert(r);
    }
    let mut ops = Vec::new();

    for (id, local) in &snapshot.local {
        let still_listed = listed.contains_key(id.as_str());
        let submission_id = id.clone();
        let op = match (local.state, still_listed) {
            // Crashed between "seen" and "stored": fetch again; storing is idempotent by id.
            (Received, true) => {
                let follow_up = snapshot.known_cases.contains(&local.case_id);
                Some(Op::Fetch {
                    submission_id,
                    case_id: local.case_id.clone(),
                    follow_up,
                })
            }
            (Received, false) => Some(Op::Vanished { submission_id }),
            // Durable: the accept may be queued and sent whether or not the service still lists
            // it (a listing can lag); sending is idempotent.
            (Stored, _) => Some(Op::QueueAccept { submission_id }),
            (AcceptPending, true) => Some(Op::SendAccept { submission_id }),
            (AcceptPending, false) => Some(Op::Confirm {
                submission_id,
                pending: AcceptPending,
            }),
            (RejectPending, true) => Some(Op::SendReject { submission_id }),
            (RejectPending, false) => Some(Op::Confirm {
                submission_id,
                pending: RejectPending,
            }),
            // Finished here. A finished submission that is listed again is a redelivery: it is
            // never stored a second time.
            (Accepted | Rejected, _) => None,
        };
        ops.extend(op);
    }

    for (id, remote) in &listed {
        if !snapshot.local.contains_key(*id) {
            ops.push(Op::Fetch {
                submission_id: (*id).to_owned(),
                case_id: remote.case_id.clone(),
                follow_up: snapshot.known_cases.contains(&remote.case_id),
            });
        }
    }

    ops.sort();
    ops
}

#[cfg(test)]
mod tests {
    use super::*;
    use Eingangszustand::*;
    use proptest::prelude::*;

    fn remote(id: &str, case: &str) -> Remote {
        Remote {
            submission_id: id.into(),
            case_id: case.into(),
        }
    }

    fn local(state: Eingangszustand, case: &str) -> Local {
        Local {
            state,
            case_id: case.into(),
        }
    }

    #[test]
    fn a_new_submission_is_fetched_once_even_when_listed_twice() {
        let s = Snapshot {
            remote: vec![remote("s1", "c1"), remote("s1", "c1")],
            ..Default::default()
        };
        assert_eq!(
            plan(&s),
            vec![Op::Fetch {
                submission_id: "s1".into(),
                case_id: "c1".into(),
                follow_up: false
            }]
        );
    }

    #[test]
    fn a_redelivered_submission_is_not_stored_twice() {
        for done in [Accepted, Rejected] {
            let s = Snapshot {
                local: [("s1".to_owned(), local(done, "c1"))].into(),
                remote: vec![remote("s1", "c1")],
                ..Default::default()
            };
            assert_eq!(plan(&s), vec![], "{done:?}");
        }
    }

    #[test]
    fn an_accept_is_never_planned_before_the_submission_is_stored() {
        let s = Snapshot {
            local: [("s1".to_owned(), local(Received, "c1"))].into(),
            remote: vec![remote("s1", "c1")],
            ..Default::default()
        };
        assert_eq!(
            plan(&s),
            vec![Op::Fetch {
                submission_id: "s1".into(),
                case_id: "c1".into(),
                follow_up: false
            }]
        );
    }

    #[test]
    fn a_rejection_that_failed_to_send_is_retried_not_re_decided() {
        let s = Snapshot {
            local: [("s1".to_owned(), local(RejectPending, "c1"))].into(),
            remote: vec![remote("s1", "c1")],
            ..Default::default()
        };
        assert_eq!(
            plan(&s),
            vec![Op::SendReject {
                submission_id: "s1".into()
            }]
        );
    }

    #[test]
    fn a_pending_event_that_took_effect_is_confirmed_from_the_event_log() {
        let s = Snapshot {
            local: [
                ("a".to_owned(), local(AcceptPending, "c1")),
                ("r".to_owned(), local(RejectPending, "c2")),
            ]
            .into(),
            ..Default::default()
        };
        assert_eq!(
            plan(&s),
            vec![
                Op::Confirm {
                    submission_id: "a".into(),
                    pending: AcceptPending
                },
                Op::Confirm {
                    submission_id: "r".into(),
                    pending: RejectPending
                },
            ]
        );
    }

    #[test]
    fn a_follow_up_submission_of_a_known_case_attaches_to_its_vorgang() {
        let s = Snapshot {
            known_cases: ["c1".to_owned()].into(),
            remote: vec![remote("s2", "c1"), remote("s3", "c9")],
            ..Default::default()
        };
        assert_eq!(
            plan(&s),
            vec![
                Op::Fetch {
                    submission_id: "s2".into(),
                    case_id: "c1".into(),
                    follow_up: true
                },
                Op::Fetch {
                    submission_id: "s3".into(),
                    case_id: "c9".into(),
                    follow_up: false
                },
            ]
        );
    }

    #[test]
    fn a_submission_seen_but_never_stored_that_left_the_list_is_reported_not_dropped() {
        let s = Snapshot {
            local: [("s1".to_owned(), local(Received, "c1"))].into(),
            ..Default::default()
        };
        assert_eq!(
            plan(&s),
            vec![Op::Vanished {
                submission_id: "s1".into()
            }]
        );
    }

    #[test]
    fn decided_effects_drain_before_new_work() {
        let s = Snapshot {
            local: [
                ("z-stored".to_owned(), local(Stored, "c1")),
                ("y-acc".to_owned(), local(AcceptPending, "c2")),
                ("x-rej".to_owned(), local(RejectPending, "c3")),
            ]
            .into(),
            remote: vec![
                remote("a-new", "c4"),
                remote("y-acc", "c2"),
                remote("x-rej", "c3"),
            ],
            ..Default::default()
        };
        let kinds: Vec<&str> = plan(&s)
            .iter()
            .map(|op| match op {
                Op::SendReject { .. } => "send-reject",
                Op::SendAccept { .. } => "send-accept",
                Op::QueueAccept { .. } => "queue-accept",
                Op::Confirm { .. } => "confirm",
                Op::Fetch { .. } => "fetch",
                Op::Vanished { .. } => "vanished",
            })
            .collect();
        assert_eq!(
            kinds,
            ["send-reject", "send-accept", "queue-accept", "fetch"]
        );
    }

    fn any_state() -> impl Strategy<Value = Eingangszustand> {
        proptest::sample::select(Eingangszustand::ALLE.to_vec())
    }

    fn any_snapshot() -> impl Strategy<Value = Snapshot> {
        let ids = || "[a-e]";
        let cases = || "c[0-3]";
        (
            proptest::collection::btree_map(ids(), (any_state(), cases()), 0..5),
            proptest::collection::btree_set(cases(), 0..3),
            proptest::collection::vec((ids(), cases()), 0..8),
        )
            .prop_map(|(local, known_cases, remote)| Snapshot {
                local: local
                    .into_iter()
                    .map(|(id, (state, case_id))| (id, Local { state, case_id }))
                    .collect(),
                known_cases,
                remote: remote
                    .into_iter()
                    .map(|(submission_id, case_id)| Remote {
                        submission_id,
                        case_id,
                    })
                    .collect(),
            })
    }

    proptest! {
        #[test]
        fn every_submission_gets_at_most_one_op(s in any_snapshot()) {
            let ops = plan(&s);
            let ids: BTreeSet<&str> = ops.iter().map(Op::submission_id).collect();
            prop_assert_eq!(ids.len(), ops.len());
        }

        #[test]
        fn every_listed_submission_not_finished_here_is_handled(s in any_snapshot()) {
            let ops = plan(&s);
            for r in &s.remote {
                let finished = s.local.get(&r.submission_id).is_some_and(|l| l.state.ist_abgeschlossen());
                let handled = ops.iter().any(|op| op.submission_id() == r.submission_id);
                prop_assert_eq!(handled, !finished, "{:?}", r);
            }
        }

        #[test]
        fn nothing_finished_or_stored_is_ever_fetched_again(s in any_snapshot()) {
            for op in plan(&s) {
                if let Op::Fetch { submission_id, .. } = &op {
                    let state = s.local.get(submission_id).map(|l| l.state);
                    prop_assert!(matches!(state, None | Some(Received)), "{:?} from {:?}", op, state);
                }
            }
        }

        #[test]
        fn events_are_sent_only_for_decided_submissions(s in any_snapshot()) {
            for op in plan(&s) {
                let state = s.local.get(op.submission_id()).map(|l| l.state);
                match op {
                    Op::SendAccept { .. } => prop_assert_eq!(state, Some(AcceptPending)),
                    Op::SendReject { .. } => prop_assert_eq!(state, Some(RejectPending)),
                    Op::QueueAccept { .. } => prop_assert_eq!(state, Some(Stored)),
                    _ => {}
                }
            }
        }

        #[test]
        fn the_plan_does_not_depend_on_the_order_of_the_listing(s in any_snapshot(), seed in any::<u64>()) {
            let mut shuffled = s.clone();
            let n = shuffled.remote.len();
            if n > 1 {
                let k = (seed as usize) % n;
                shuffled.remote.rotate_left(k);
                shuffled.remote.reverse();
            }
            prop_assert_eq!(plan(&s), plan(&shuffled));
        }
    }
}
