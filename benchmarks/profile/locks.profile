# State primitives (Mutex, Semaphore, RwLock, Notify, Barrier) vs java.util.concurrent and asyncutil.
# Ratios are peer ns/op ÷ tributary ns/op in the same group.
# Line syntax and the @target marker: see mpsc.profile's header.

# Target: Mutex uncontended tryLock() + release vs ReentrantLock, single thread (2); the other
# implementations, short: async lock(), blockingLock(), fair ReentrantLock, synchronized, AsyncLock (5).
MutexUncontended.acquireRelease  impl=tributary-tryLock,ReentrantLock  @target
MutexUncontended.acquireRelease  impl=tributary,tributary-blocking,ReentrantLockFair,synchronized,AsyncLock

# Target: two threads on two cores, blocking API (tributary) vs fair ReentrantLock, FIFO vs FIFO (2);
# the async chains and the other locks, short (4).
MutexContended.acquireRelease  impl=tributary,ReentrantLockFair  threads=2  @target
MutexContended.acquireRelease  impl=tributary-async,ReentrantLock,synchronized,AsyncLock  threads=2
# Oversubscribed (4 threads, 2 cores): FIFO vs FIFO, park-dominated (2).
MutexContended.acquireRelease  impl=tributary,ReentrantLockFair  threads=4

# Target: Semaphore fast path, acquire() + release of one permit vs j.u.c. Semaphore, single thread (2);
# tryAcquire and asyncutil, short (2).
SemaphoreAcquire.uncontended  impl=tributary,Semaphore  @target
SemaphoreAcquire.uncontended  impl=tributary-tryAcquire,FairAsyncSemaphore
# 4 threads on 1 permit: where j.u.c. fair Semaphore collapses (4).
SemaphoreAcquire.contended  impl=tributary,Semaphore,SemaphoreFair,FairAsyncSemaphore  threads=4  permits=1

# Read lock, single thread; the optimistic StampedLock read is the floor, not a lock (5).
RwLockRead.uncontended  impl=tributary,ReentrantReadWriteLock,StampedLock,StampedLockOptimistic,AsyncReadWriteLock

# Target: wake-all of 10 and 100 asynchronous waiters (futures), one thread: Notify vs a
# CompletableFuture fan-out (4).
NotifyWake.asyncWaiters  impl=tributary,CompletableFuture  waiters=10,100  @target
# Wake-all with 10 parked waiter threads: park/unpark-dominated (2).
NotifyWake.blockingWaiters  impl=tributary,Condition  waiters=10

# Barrier generations, blocking parties; 4 parties is oversubscribed (6).
BarrierCycle.cycles  impl=tributary,CyclicBarrier,Phaser  parties=2,4
