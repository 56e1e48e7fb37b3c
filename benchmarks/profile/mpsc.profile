# mpsc throughput (MpscThroughput): ns per message, batch of 50,000 messages per invocation.
# capacity 0 = unbounded. 2 cores: 1 producer measures throughput, 2 and 4 oversubscribed contention;
# capacities 1 and 16 are park-dominated. 39 combinations.

# Issue targets: 1 -> 1 and 4 -> 1 at capacity 1024, blocking API, against every bounded blocking peer.
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,LinkedBlockingQueue,JCToolsMpscBlocking  producers=1,4  capacity=1024

# 2 -> 1 at capacity 1024, the main peers only.
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=2  capacity=1024

# Small capacities, 1 -> 1 (park-dominated).
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=1  capacity=1,16

# Unbounded 1 -> 1: Tributary's unbounded channel against the unbounded queues and Reactor's unicast sink.
MpscThroughput.blocking  impl=tributary,LinkedBlockingQueue,LinkedTransferQueue,JCToolsMpscXadd,ReactorUnicast  producers=1  capacity=0

# Unbounded 4 -> 1 (oversubscribed).
MpscThroughput.blocking  impl=tributary,LinkedBlockingQueue,LinkedTransferQueue,JCToolsMpscXadd  producers=4  capacity=0

# Async API (futures, nobody blocks) against Reactor's unicast sink, 1 -> 1 (also with recvMany batches) and
# 4 -> 1 at capacity 1024.
MpscThroughput.async  impl=tributary-async,tributary-async-recvMany,ReactorUnicast  producers=1  capacity=1024
MpscThroughput.async  impl=tributary-async,ReactorUnicast  producers=4  capacity=1024

# Async API, unbounded 1 -> 1.
MpscThroughput.async  impl=tributary-async,ReactorUnicast  producers=1  capacity=0

# Jox (Java 21 class files): only on a JDK 21+ fork, with Tributary and ArrayBlockingQueue in the same run.
MpscThroughput.blocking  impl=tributary,ArrayBlockingQueue,Jox  producers=1  capacity=16,1024  jdk=21

# Second harness style (issue 14's rule: a gain must hold in both): fresh producer threads per batch of 200,000
# boxed messages, consumer on the benchmark thread, 3 forks x 5 x 1 s (the class's own settings).
MpscFreshThreads.batch  impl=tributary,ArrayBlockingQueue,JCToolsMpscBlocking  producers=1,4  capacity=1024
