# mpsc throughput (MpscThroughput, MpscFreshThreads): ns per message. capacity 0 = unbounded.
# 2 cores: 1 producer measures throughput, 2 and 4 oversubscribed contention; capacities 1 and 16 are
# park-dominated.
#
# Line syntax (every profile file): the benchmark regex, then param=v1,v2,... (the cartesian product
# runs; unlisted params keep the class's @Param values), optionally jdk=N (forks on a JDK N+), and the
# JMH settings: a plain line runs 1 fork x (2 warm-up + 3 measurement) x 1 s; @target marks a line
# that checks an issue 14 target and runs 3 forks x (2 + 5) x 1 s; forks=N, warmups=N, iterations=N
# override one setting. Every target's group must come from a @target line (ProfileLineTest checks).

# Targets: 1 -> 1 and 4 -> 1 at capacity 1024, blocking API, vs ArrayBlockingQueue and JCTools (6).
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=1,4  capacity=1024  @target
# Targets: 1 -> 1 at capacities 1 and 16 (park-dominated) (6).
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=1  capacity=1,16  @target
# LinkedBlockingQueue at the target groups, short (2).
MpscThroughput.blocking  impl=LinkedBlockingQueue  producers=1,4  capacity=1024

# 2 -> 1 at capacity 1024, the main peers only (3).
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=2  capacity=1024

# Unbounded 1 -> 1: Tributary's unbounded channel against the unbounded queues and Reactor's unicast sink (5).
MpscThroughput.blocking  impl=tributary,LinkedBlockingQueue,LinkedTransferQueue,JCToolsMpscXadd,ReactorUnicast  producers=1  capacity=0

# Unbounded 4 -> 1 (oversubscribed) (4).
MpscThroughput.blocking  impl=tributary,LinkedBlockingQueue,LinkedTransferQueue,JCToolsMpscXadd  producers=4  capacity=0

# Target: async API (futures, nobody blocks) vs Reactor's unicast sink, 1 -> 1 and 4 -> 1, capacity 1024 (4);
# then the recvMany batches, 1 -> 1, short (1).
MpscThroughput.async  impl=tributary-async,ReactorUnicast  producers=1,4  capacity=1024  @target
MpscThroughput.async  impl=tributary-async-recvMany  producers=1  capacity=1024

# Async API, unbounded 1 -> 1 (2).
MpscThroughput.async  impl=tributary-async,ReactorUnicast  producers=1  capacity=0

# Jox (Java 21 class files): only on a JDK 21+ fork, with Tributary and ArrayBlockingQueue in the same run (6).
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,Jox  producers=1  capacity=16,1024  jdk=21

# Target, second harness style (issue 14's rule: a gain must hold in both): fresh producer threads per
# batch of 200,000 boxed messages, consumer on the benchmark thread (6).
MpscFreshThreads.batch  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=1,4  capacity=1024  @target
