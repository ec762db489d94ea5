/* record_int.h: private to record/. */
