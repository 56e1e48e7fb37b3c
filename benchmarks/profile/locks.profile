# State primitives (Mutex, Semaphore, RwLock, Notify, Barrier) vs java.util.concurrent and asyncutil.
# 40 combinations in all (about 7 s each). Ratios are peer ns/op ÷ tributary ns/op in the same group.

# Issue 5 targets: async lock() + release vs asyncutil AsyncLock; tryLock() + release vs ReentrantLock.
# All implementations, single thread (7).
MutexUncontended.acquireRelease  impl=tributary,tributary-tryLock,tributary-blocking,ReentrantLock,ReentrantLockFair,synchronized,AsyncLock

# Two threads on two cores, blocking API (tributary) vs j.u.c. locks, plus the async chains (6).
MutexContended.acquireRelease  impl=tributary,tributary-async,ReentrantLock,ReentrantLockFair,synchronized,AsyncLock  threads=2
# Oversubscribed (4 threads, 2 cores): FIFO vs FIFO, park-dominated (2).
MutexContended.acquireRelease  impl=tributary,ReentrantLockFair  threads=4

# Semaphore fast path, one permit, single thread (4).
SemaphoreAcquire.uncontended  impl=tributary,tributary-tryAcquire,Semaphore,FairAsyncSemaphore
# 4 threads on 1 permit: where j.u.c. fair Semaphore collapses (4).
SemaphoreAcquire.contended  impl=tributary,Semaphore,SemaphoreFair,FairAsyncSemaphore  threads=4  permits=1

# Read lock, single thread; the optimistic StampedLock read is the floor, not a lock (5).
RwLockRead.uncontended  impl=tributary,ReentrantReadWriteLock,StampedLock,StampedLockOptimistic,AsyncReadWriteLock

# Wake-all with asynchronous waiters (futures), one thread: Notify vs a CompletableFuture fan-out (4).
NotifyWake.asyncWaiters  impl=tributary,CompletableFuture  waiters=10,100
# Wake-all with 10 parked waiter threads: park/unpark-dominated (2).
NotifyWake.blockingWaiters  impl=tributary,Condition  waiters=10

# Barrier generations, blocking parties; 4 parties is oversubscribed (6).
BarrierCycle.cycles  impl=tributary,CyclicBarrier,Phaser  parties=2,4
