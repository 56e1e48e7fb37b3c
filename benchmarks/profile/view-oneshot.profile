# Mpsc Publisher view (MpscPublisherView) and oneshot (OneshotRequestReply, OneshotCreateComplete).
# 16 combinations (9 + 4 + 3).

# Publisher view: ns per message, 100,000 messages per invocation from one producer thread to a plain
# subscriber that requests `request` at a time (unbounded = Long.MAX_VALUE once), capacity 1024.
# Issue target at request=256: >= 1.5x ReactorUnicast, >= 1.2x RxUnicastProcessor; 0 B/message
# (-prof gc). request=1 is the worst case for demand accounting, unbounded the best.
MpscPublisherView.batch  impl=tributary,ReactorUnicast,RxUnicastProcessor  request=1,256,unbounded

# tokio's request_reply: mpsc(10) of reply senders served by one thread, 1000 round trips per
# invocation; ns per round trip, park-dominated on 2 cores. The request channel is the same Tributary
# Mpsc for every impl, so only the reply primitive differs.
# Issue target: tributary within 1.3x of CompletableFuture.
OneshotRequestReply.requestReply  impl=tributary,CompletableFuture,ReactorSinksOne,RxSingleSubject

# Single-thread create + complete + read of the value. RxSingleSubject is in the class but left out
# here to stay within the 16-combination budget (ReactorSinksOne stands for the reactive peers).
OneshotCreateComplete.createComplete  impl=tributary,CompletableFuture,ReactorSinksOne
