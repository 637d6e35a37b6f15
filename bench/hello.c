/* The "printf hello" size anchor: what pulling in stdio costs. */
#include <stdio.h>

int main(void)
{
	printf("hello\n");
	return 0;
}
