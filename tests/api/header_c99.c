/* The public header alone, compiled as strict C99 with -pedantic -Werror. */
#include <vgetrandom.h>

int main(void)
{
	unsigned char b[8];
	return vgetrandom(b, sizeof(b), GRND_NONBLOCK) == (ssize_t)sizeof(b) &&
	       vgetrandom_backend() != 0 ? 0 : 1;
}
