# Mpsc Publisher view (MpscPublisherView) and oneshot (OneshotRequestReply, OneshotCreateComplete).
# Line syntax and the @target marker: see mpsc.profile's header.

# Publisher view: ns per message, 100,000 messages per invocation from one producer thread to a plain
# subscriber that requests `request` at a time (unbounded = Long.MAX_VALUE once), capacity 1024.
# Target at request=256: vs ReactorUnicast and RxUnicastProcessor, and 0 B/message (-prof gc) (3).
MpscPublisherView.batch  impl=tributary,ReactorUnicast,RxUnicastProcessor  request=256  @target
# request=1 is the worst case for demand accounting, unbounded the best (6).
MpscPublisherView.batch  impl=tributary,ReactorUnicast,RxUnicastProcessor  request=1,unbounded

# tokio's request_reply: mpsc(10) of reply senders served by one thread, 1000 round trips per
# invocation; ns per round trip, park-dominated on 2 cores. The request channel is the same Tributary
# Mpsc for every impl, so only the reply primitive differs (4).
OneshotRequestReply.requestReply  impl=tributary,CompletableFuture,ReactorSinksOne,RxSingleSubject

# Target: single-thread create + send + read of the value vs CompletableFuture, and its bytes (2);
# the reactive peers, short (2).
OneshotCreateComplete.createComplete  impl=tributary,CompletableFuture  @target
OneshotCreateComplete.createComplete  impl=ReactorSinksOne,RxSingleSubject
