# Broadcast fan-out and watch (issue 5). 24 combinations.
#
# Broadcast fan-out, one producer to 1 and 4 subscriber threads, capacity 1024: the issue's target is
# tributary >= 2x SubmissionPublisher at 4 subscribers. ns per message sent (4 deliveries at 4).
BroadcastFanOut.fanOut  impl=tributary,SubmissionPublisher,RxPublishProcessor,ReactorMulticast  subscribers=1,4  capacity=1024
# The other variants at 4 subscribers only (same group as the line above): Tributary polling with
# tryRecv before it parks, its Publisher view behind observeOn, and RxJava's MulticastProcessor.
BroadcastFanOut.fanOut  impl=tributary-tryRecv,tributary-publisher,RxMulticastProcessor  subscribers=4  capacity=1024
# Capacity 16 (park-dominated): Tributary vs the JDK peer.
BroadcastFanOut.fanOut  impl=tributary,SubmissionPublisher  subscribers=4  capacity=16
#
# Watch: one writer, 1 and 8 conflating reader threads (8 is oversubscribed, park-dominated);
# ns per value written until every reader has read the last one.
WatchLatest.writeAll  impl=tributary,RxBehaviorProcessor,ReactorReplayLatest,AtomicReferencePark  readers=1,8
# Single-thread store + read latest (no waiting readers): the most stable watch figure.
WatchSendBorrow.sendBorrow  impl=tributary,RxBehaviorProcessor,AtomicReference
