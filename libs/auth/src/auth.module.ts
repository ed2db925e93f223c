import { Module } from '@nestjs/common';
import { ApiClientsService } from './api-clients.service';
import { AuthThrottleService } from './auth-throttle.service';
import { SigningKeysService } from './signing-keys.service';
import { TokenService } from './token.service';

@Module({
  providers: [ApiClientsService, SigningKeysService, TokenService, AuthThrottleService],
  exports: [ApiClientsService, SigningKeysService, TokenService, AuthThrottleService],
})
export class AuthModule {}
