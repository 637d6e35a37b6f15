#ifndef TETHER_VERSION
#define TETHER_VERSION "0.1.0"
#endif
