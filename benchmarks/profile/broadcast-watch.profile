# Broadcast fan-out and watch.
# Line syntax and the @target marker: see mpsc.profile's header.
#
# Broadcast fan-out, one producer to 1 and 4 subscriber threads: ns per message sent (4 deliveries at 4).
# Targets at 4 subscribers, capacity 1024: tributary's recv vs SubmissionPublisher, and its Publisher
# view (tributary-publisher, behind observeOn) vs Reactor's multicast sink and RxJava's
# PublishProcessor, with the view's bytes per message (5).
BroadcastFanOut.fanOut  impl=tributary,tributary-publisher,SubmissionPublisher,RxPublishProcessor,ReactorMulticast  subscribers=4  capacity=1024  @target
# The other variants at 4 subscribers, short: Tributary polling with tryRecv before it parks, and
# RxJava's MulticastProcessor (2).
BroadcastFanOut.fanOut  impl=tributary-tryRecv,RxMulticastProcessor  subscribers=4  capacity=1024
# One subscriber (4).
BroadcastFanOut.fanOut  impl=tributary,SubmissionPublisher,RxPublishProcessor,ReactorMulticast  subscribers=1  capacity=1024
# Capacity 16 (park-dominated): Tributary vs the JDK peer (2).
BroadcastFanOut.fanOut  impl=tributary,SubmissionPublisher  subscribers=4  capacity=16
#
# Watch: one writer, 1 and 8 conflating reader threads (8 is oversubscribed, park-dominated);
# ns per value written until every reader has read the last one (8).
WatchLatest.writeAll  impl=tributary,RxBehaviorProcessor,ReactorReplayLatest,AtomicReferencePark  readers=1,8
# Target: single-thread store + read latest (no waiting readers) vs RxJava's BehaviorProcessor (2);
# the AtomicReference baseline, short (1).
WatchSendBorrow.sendBorrow  impl=tributary,RxBehaviorProcessor  @target
WatchSendBorrow.sendBorrow  impl=AtomicReference
