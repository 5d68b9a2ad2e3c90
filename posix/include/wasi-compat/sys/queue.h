/*
 * synack_posix under WASI: the singly-linked tail queue macros of BSD's
 * <sys/queue.h> (STAILQ_*), which wasi-libc does not have and programs
 * bundle code for (lighttpd's ls-hpack). Written from the BSD manual page
 * queue(3); only STAILQ.
 */
#ifndef SYNACK_POSIX_SYS_QUEUE_H
#define SYNACK_POSIX_SYS_QUEUE_H

#define STAILQ_HEAD(name, type)                                                \
    struct name {                                                              \
        struct type *stqh_first;                                               \
        struct type **stqh_last;                                               \
    }
#define STAILQ_HEAD_INITIALIZER(head) {NULL, &(head).stqh_first}
#define STAILQ_ENTRY(type)                                                     \
    struct {                                                                   \
        struct type *stqe_next;                                                \
    }
#define STAILQ_FIRST(head) ((head)->stqh_first)
#define STAILQ_NEXT(elm, field) ((elm)->field.stqe_next)
#define STAILQ_EMPTY(head) ((head)->stqh_first == NULL)
#define STAILQ_INIT(head)                                                      \
    do {                                                                       \
        (head)->stqh_first = NULL;                                             \
        (head)->stqh_last = &(head)->stqh_first;                               \
    } while (0)
#define STAILQ_FOREACH(var, head, field)                                       \
    for ((var) = STAILQ_FIRST(head); (var); (var) = STAILQ_NEXT(var, field))
#define STAILQ_INSERT_HEAD(head, elm, field)                                   \
    do {                                                                       \
        if (((elm)->field.stqe_next = (head)->stqh_first) == NULL)             \
            (head)->stqh_last = &(elm)->field.stqe_next;                       \
        (head)->stqh_first = (elm);                                            \
    } while (0)
#define STAILQ_INSERT_TAIL(head, elm, field)                                   \
    do {                                                                       \
        (elm)->field.stqe_next = NULL;                                         \
        *(head)->stqh_last = (elm);                                            \
        (head)->stqh_last = &(elm)->field.stqe_next;                           \
    } while (0)
#define STAILQ_REMOVE_HEAD(head, field)                                        \
    do {                                                                       \
        if (((head)->stqh_first = (head)->stqh_first->field.stqe_next) == NULL) \
            (head)->stqh_last = &(head)->stqh_first;                           \
    } while (0)
#endif
