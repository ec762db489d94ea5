/* store_int.h: private to store/. */
