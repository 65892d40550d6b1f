import { ApiProperty } from '@nestjs/swagger';

/** Every REST error: Nest's own shape, with one message a person can act on. */
export class ApiErrorModel {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ example: 'Bad Request' })
  error!: string;

  @ApiProperty({ example: 'limit must be a whole number from 1 to 1000' })
  message!: string;
}
