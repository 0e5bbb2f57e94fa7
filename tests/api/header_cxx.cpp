// The public header from C++: linkage and declarations must work there too.
#include <vgetrandom.h>

int main()
{
	unsigned char b[8];
	return vgetrandom(b, sizeof(b), 0) == static_cast<ssize_t>(sizeof(b)) &&
	       vgetrandom_backend() != nullptr ? 0 : 1;
}
