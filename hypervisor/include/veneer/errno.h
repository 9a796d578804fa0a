/*
 * Error numbers. The hypervisor returns Xen's values (which are Linux's) as
 * negative numbers, so guests see exactly what real Xen would return; the
 * portable parts share the same values so host tests can compare them.
 */
#ifndef VENEER_ERRNO_H
#define VENEER_ERRNO_H

#define EPERM         1
#define ENOENT        2
#define ESRCH         3
#define EINTR         4
#define EIO           5
#define ENXIO         6
#define E2BIG         7
#define ENOEXEC       8
#define EBADF         9
#define ECHILD        10
#define EAGAIN        11
#define ENOMEM        12
#define EACCES        13
#define EFAULT        14
#define EBUSY         16
#define EEXIST        17
#define EXDEV         18
#define ENODEV        19
#define EISDIR        21
#define EINVAL        22
#define ENFILE        23
#define EMFILE        24
#define ENOSPC        28
#define ESPIPE        29
#define EROFS         30
#define EMLINK        31
#define EDOM          33
#define ERANGE        34
#define EDEADLK       35
#define ENAMETOOLONG  36
#define ENOLCK        37
#define ENOSYS        38
#define ENOTEMPTY     39
#define ENODATA       61
#define ETIME         62
#define EBADMSG       74
#define EOVERFLOW     75
#define EILSEQ        84
#define ENOTSOCK      88
#define EOPNOTSUPP    95
#define EADDRINUSE    98
#define EADDRNOTAVAIL 99
#define ENOBUFS       105
#define EISCONN       106
#define ENOTCONN      107
#define ETIMEDOUT     110
#define ECONNREFUSED  111
#define EALREADY      114
#define EINPROGRESS   115

#endif
